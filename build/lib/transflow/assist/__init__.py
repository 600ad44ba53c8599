"""Help for translators beyond the memory: machine-translation drafts (``draft``),
the providers behind them (``mt``) and the masking that keeps markup and numbers
intact on the way."""

"""Publishing: the bulletin model of one week in one language, its HTML and PDF
renderers, and ``build``, which plans, renders and writes them."""

"""The workspace: ``transflow.toml``, ISO weeks, safe file writes, progress reports,
languages (the Babel facade) and the one error family. Every other package builds on
this one; it imports none of them."""

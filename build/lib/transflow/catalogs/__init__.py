"""gettext catalogs: transflow's own catalog model, the PO file format, the merge of
templates into translations, the translation memory that fills what was translated
before, and ``update`` / ``status``."""

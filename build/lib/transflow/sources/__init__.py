"""Source commentaries: Markdown files with front matter under ``sources/<week>/``,
parsed and validated (``commentary``) and split into translatable segments
(``markdown``)."""

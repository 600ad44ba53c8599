"""The publication's website: pages in ``output/`` linking every published bulletin
(``pages``)."""

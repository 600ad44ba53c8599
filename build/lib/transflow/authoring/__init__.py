"""Writing new source commentaries: ``import`` of pages published on the website."""

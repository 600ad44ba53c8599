"""Quality checks of translations and sources: transflow's own checks, the house
glossary, and translate-toolkit's pofilter checks."""

"""The interview engine: which item is next, validation, relevance, scoring. No I/O."""

"""The scenario: its schema, the files that fill it, named strategies, dated events."""

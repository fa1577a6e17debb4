"""The `fieldscreen` command line: the same services the GUI uses."""

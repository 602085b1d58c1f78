"""Models of the solutions app; filled by its issue."""

"""Models of the integrations app; filled by its issue."""

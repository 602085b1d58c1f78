"""Models of the sprints app; filled by its issue."""

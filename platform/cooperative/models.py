"""Models of the cooperative app; filled by its issue."""

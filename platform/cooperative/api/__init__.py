"""The cooperative app's REST API under /api/v1/: thin viewsets over services and selectors."""

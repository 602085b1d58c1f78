"""The forms of the integrations pages, one module per page family."""

"""The cooperative's world (zob, eindhoven, coordinator, ...):
in fixtures.py, registered for every test by `pytest_plugins` in tests/conftest.py."""

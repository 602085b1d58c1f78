"""The identity provider process and the sign-in helpers (provider, ...):
in fixtures.py, registered for every test by `pytest_plugins` in tests/conftest.py."""

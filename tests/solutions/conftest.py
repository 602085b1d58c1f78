"""The solutions world (accepted_increment, solution, ...):
in fixtures.py, registered for every test by `pytest_plugins` in tests/conftest.py."""

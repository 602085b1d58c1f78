"""The sprints world (product, product_owner, developer, tester, make_item, ...):
in fixtures.py, registered for every test by `pytest_plugins` in tests/conftest.py."""

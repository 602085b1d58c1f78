"""What `/api/v1/me/` says about the person's work on products, from the app that knows it.

The cooperative app (where MeView lives) may not import the sprints app, a higher layer, so
the sprints app hands its reader in here from its `AppConfig.ready()`: `product_roles(user)`
answers one dict per product the person is on the team of:
`{"id", "key", "name", "cooperative", "roles"}`.
"""

_product_roles = None


def register_product_roles(reader) -> None:
    global _product_roles
    _product_roles = reader


def product_roles(user) -> list[dict]:
    if _product_roles is None or user is None or not user.is_authenticated:
        return []
    return _product_roles(user)

"""The signin pages (one module so far, `second_factor`: the account's second factor, named by
urls.py as `views.<name>`). The identity provider's sign-in views are in `signin.oidc`."""

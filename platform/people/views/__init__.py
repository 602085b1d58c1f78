"""The people pages, one module per page family; the url modules name them as `<module>.<view>`:

- `people`: an organisation's people, invitations and accepting one (urls.py).
- `passwords`: password reset by e-mail (account_urls.py).
- `newcomers`: what joining costs, asking for access, the coordinators' queue (page_urls.py).
- `tokens`: a person's API tokens (page_urls.py).
"""

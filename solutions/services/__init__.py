"""Every state change of the library, one module per capability:

- `publication`: request, approve, reject and withdraw publications; releases and versions.
- `adoption`: adopt, take into use, upgrade and stop; reviews.
- `metadata`: edit a solution's metadata; import it from a publiccode.yml.

Each function takes keyword-only arguments, checks the permission and the transition, writes
in one transaction with its audit record, and publishes its events after the commit.
"""

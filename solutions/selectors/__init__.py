"""Every non-trivial read of the library, one module per capability:

- `catalogue`: search, facets, sorting, the solution page, similar solutions.
- `publication`: publication requests, releases, the newest release.
- `reuse`: where a solution is in use, reviews, upgrades, a cooperative's reuse figures.
"""

# Not `catalogue()` itself: it would hide the module of the same name.
from solutions.selectors.catalogue import similar_to, solution_detail

__all__ = ["similar_to", "solution_detail"]

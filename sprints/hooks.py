"""What the sprints app asks of the apps above it, which fill it in from their
`AppConfig.ready()` with `register()` (docs/decisions/0007).

The layers (docs/architecture.md) let solutions and integrations import sprints, never the other
way round, not even inside a function. So where a sprints page or service needs something only
a higher app knows, it calls one of these; until that app registers, each answers as if the app
were not installed (no similar solutions, no git check, no repository).
"""


def _no_similar_solutions(title: str, description: str) -> list:
    return []


def _no_git_ref_problem(product, git_ref: str) -> str | None:
    return None


def _no_repository_url(product) -> str:
    return ""


_hooks = {
    # Existing solutions like a product being proposed (solutions).
    "similar_solutions": _no_similar_solutions,
    # Why a git reference cannot be an increment's (integrations: git in the product's mirrors).
    "git_ref_problem": _no_git_ref_problem,
    # The product's first repository on a web address (integrations).
    "repository_url": _no_repository_url,
}


def register(**hooks) -> None:
    unknown = set(hooks) - set(_hooks)
    if unknown:
        raise TypeError(f"sprints has no hook {', '.join(sorted(unknown))}")
    _hooks.update(hooks)


def similar_solutions(title: str, description: str = "") -> list:
    return list(_hooks["similar_solutions"](title, description))


def git_ref_problem(product, git_ref: str) -> str | None:
    return _hooks["git_ref_problem"](product, git_ref)


def repository_url(product) -> str:
    return _hooks["repository_url"](product)

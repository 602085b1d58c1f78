"""What the cooperative services share: model validation and unique slugs."""

from typing import Any, TypeVar

from django.db import models
from django.utils.text import slugify

_M = TypeVar("_M", bound=models.Model)


def _validated(instance: _M, *, exclude: Any = None) -> _M:
    """Run the model's validation; field errors become a 400 naming each field."""
    instance.full_clean(exclude=exclude, validate_constraints=True)
    return instance


def _unique_slug(model: Any, name: str, slug: str | None = None) -> str:
    base = slugify(slug or name)[:90] or "item"
    candidate, number = base, 2
    while model.objects.filter(slug=candidate).exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate

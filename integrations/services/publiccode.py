"""publiccode.yml from a product's repository: what each sync reads at the head of the default
branch, and applying it to the product's solution in the library.

- `read_publiccode(path, head)` → the Repository fields to save with the sync's result: the
  file's text, the commit it was read at, the values it offers (JSON-ready) and every problem
  with its key path. It never raises: a file that cannot be read is a problem, not a failed
  sync. `cleared()` is the same for a repository without the file.
- `publiccode_summary(repository, language)` → what a page or the API shows.
- `apply_publiccode(actor=, repository=)` → the product's solution with the file's values, by
  the solutions app's own `import_publiccode` (its permission and rules).
"""

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from deelbaar.errors import DomainError
from deelbaar.permissions import allowed, require
from deelbaar.typing import Person, User
from integrations import git as mirrors
from integrations.models import Repository
from solutions.models import Solution
from solutions.publiccode import MAX_BYTES, Problem, solution_fields_from_text
from solutions.services.metadata import import_publiccode
from sprints.models import Product

logger = logging.getLogger(__name__)

# The standard's name first; the .yaml spelling is accepted where the .yml one is absent.
FILE_NAMES = ("publiccode.yml", "publiccode.yaml")


def cleared() -> dict:
    """No file at the head: nothing offered, nothing wrong."""
    return {
        "publiccode_text": "",
        "publiccode_sha": "",
        "publiccode_fields": {},
        "publiccode_problems": [],
    }


def _jsonable(value: Any) -> Any:
    # Dates become ISO strings (and decimals strings): a JSONField keeps only JSON.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _in_every_language(make_problems: Callable[[], list[Problem]]) -> list[dict]:
    """Problems as [{path, code, messages: {language: message}}]: `make_problems()` is run
    once per language of the site, as the messages are made while checking."""
    stored = None
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            problems = make_problems()
        if stored is None:
            stored = [{"path": p.path, "code": p.code, "messages": {}} for p in problems]
        for entry, problem in zip(stored, problems, strict=False):
            entry["messages"][language] = str(problem.message)
    return stored or []


def check_text(text: str) -> tuple[dict, list[Problem]]:
    """(fields offered, problems) of a file's text, by the solutions app's own reading."""
    fields, problems = solution_fields_from_text(text)
    return ({} if problems else _jsonable(fields)), problems


def read_publiccode(path: Path, head: str) -> dict:
    """The Repository fields for the publiccode.yml at commit `head` of the mirror at `path`."""
    try:
        for name in FILE_NAMES:
            text = mirrors.read_file(path, head, name, MAX_BYTES)
            if text is not None:
                break
        else:
            return cleared()
    except mirrors.BlobTooLarge as error:
        size = error.size
        problems = _in_every_language(
            lambda: [
                Problem(
                    "",
                    "too_large",
                    _("A publiccode.yml is at most %(max)s KB; this one is %(size)s KB.")
                    % {"max": MAX_BYTES // 1024, "size": (size + 1023) // 1024},
                )
            ]
        )
        return {**cleared(), "publiccode_sha": head, "publiccode_problems": problems}
    except Exception as error:  # a sync never fails for this file: it is reported instead
        logger.info("reading publiccode.yml at %s failed: %r", head, error)
        reason = error.message if isinstance(error, mirrors.GitFailure) else ""
        problems = _in_every_language(
            lambda: [
                Problem(
                    "",
                    "unreadable",
                    _("The publiccode.yml could not be read. %(reason)s") % {"reason": reason},
                )
            ]
        )
        return {**cleared(), "publiccode_sha": head, "publiccode_problems": problems}
    # The messages are made while checking, so once per language; the values are the same in
    # each and kept from the first.
    offered = []

    def problems_of_text() -> list[Problem]:
        fields, found = check_text(text)
        offered.append(fields)
        return found

    try:
        problems = _in_every_language(problems_of_text)
        fields = offered[0]
    except Exception:  # the validator's own fault: reported, never a failed sync
        logger.exception("checking publiccode.yml at %s failed", head)
        problems = _in_every_language(
            lambda: [
                Problem(
                    "",
                    "unchecked",
                    _(
                        "The publiccode.yml could not be checked; the administrators can see "
                        "why in the log."
                    ),
                )
            ]
        )
        return {**cleared(), "publiccode_sha": head, "publiccode_problems": problems}
    return {
        "publiccode_text": text,
        "publiccode_sha": head,
        "publiccode_fields": fields,
        "publiccode_problems": problems,
    }


def problems_in(repository: Repository, language: str | None = None) -> list[dict]:
    """The stored problems as [{path, code, message}] in `language` (the active one by
    default), falling back to English, the source language."""
    language = (language or translation.get_language() or "en").split("-")[0]
    return [
        {
            "path": entry.get("path", ""),
            "code": entry.get("code", ""),
            "message": entry.get("messages", {}).get(language)
            or entry.get("messages", {}).get("en", ""),
        }
        for entry in repository.publiccode_problems or []
    ]


def publiccode_summary(repository: Repository, language: str | None = None) -> dict:
    """What the API and the page show: found, sha, fields and problems (in `language`)."""
    return {
        "found": bool(repository.publiccode_sha),
        "sha": repository.publiccode_sha,
        "fields": repository.publiccode_fields or {},
        "problems": problems_in(repository, language),
    }


def labelled_fields(fields: dict) -> dict:
    """The offered values as a page shows them: the standard's codes (stable, contract,
    standalone/web, workflow-management) replaced by the library's own words for them."""
    from solutions.models import Category, DevelopmentStatus, MaintenanceType, SoftwareType

    def label(choices: Any, value: Any) -> Any:
        try:
            return choices(value).label
        except ValueError:
            return value

    if not fields:
        return {}
    return {
        **fields,
        "development_status": label(DevelopmentStatus, fields.get("development_status")),
        "software_type": label(SoftwareType, fields.get("software_type")),
        "maintenance_type": label(MaintenanceType, fields.get("maintenance_type")),
        "categories": [label(Category, c) for c in fields.get("categories") or []],
    }


def solution_of(product: Product) -> Solution | None:
    """The library solution published from the product (the first, as publication takes it)."""
    return (
        Solution.objects.select_related("cooperative", "source_product")
        .filter(source_product=product)
        .order_by("pk")
        .first()
    )


def may_apply(user: Person, repository: Repository, solution: Solution | None) -> bool:
    """Whether the page offers the button: a valid file and a person who may edit the
    solution."""
    return (
        solution is not None
        and bool(repository.publiccode_sha and repository.publiccode_text)
        and not repository.publiccode_problems
        and allowed(user, "solutions.edit_solution", solution)
    )


@transaction.atomic
def apply_publiccode(*, actor: User, repository: Repository) -> Solution:
    """Give the product's solution the values of the publiccode.yml the last sync read. Needs
    `solutions.edit_solution` on the solution (NotAllowed, 403); a product without a solution
    in the library, no file, or a file with problems is a DomainError (400) listing why, and
    nothing changes."""
    product = repository.product
    solution = solution_of(product)
    if solution is None:
        # Whether a solution exists is no secret to the team, but only those who may act on
        # the repository learn what to do next.
        require(actor, "integrations.manage_repository", product)
        raise DomainError(
            _(
                "%(product)s has no solution in the library yet: publish an accepted increment "
                "first, then use the publiccode.yml for its metadata."
            )
            % {"product": product.name},
            code="no_solution",
        )
    require(actor, "solutions.edit_solution", solution)
    # The values as the last sync stored them, not as the caller's copy may have them.
    current = Repository.objects.get(pk=repository.pk)
    if not current.publiccode_sha:
        raise DomainError(
            _("The last sync found no publiccode.yml at the head of %(branch)s.")
            % {"branch": current.default_branch},
            code="no_publiccode",
        )
    problems = problems_in(current)
    if problems or not current.publiccode_text:
        raise DomainError(
            _(
                "The publiccode.yml has %(count)s problem(s); each is listed with its key path. "
                "Nothing was changed."
            )
            % {"count": len(problems)},
            code="invalid_publiccode",
            problems=[(p["path"] or None, p["code"], p["message"]) for p in problems],
        )
    return import_publiccode(
        actor=actor, cooperative=None, text=current.publiccode_text, solution=solution
    )

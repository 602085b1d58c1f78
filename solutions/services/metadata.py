"""Editing a solution's metadata, and reading it in from a publiccode.yml.

Both hold every field to publiccode.yml's own rules (`solutions.publiccode`), so whatever is
saved can be exported as a valid file, and both report every problem at once: a DomainError
whose `problems` are (field, code, message), the field a key path such as
"maintenance_contractors.0.until" (editing) or "maintenance.contractors.0.until" (a file).
Nothing is written when there is any problem.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cooperative import audit
from cooperative.models import Cooperative, Organisation
from deelbaar.errors import Conflict, DomainError, StaleObject
from deelbaar.events import publish_on_commit
from deelbaar.permissions import require
from deelbaar.typing import User
from solutions import publiccode
from solutions.events import solution_group
from solutions.licences import LicenceError, normalise_licence
from solutions.models import (
    RESERVED_SLUGS,
    DevelopmentStatus,
    MaintenanceType,
    SoftwareType,
    Solution,
    SolutionCategory,
)

EDITABLE_FIELDS = (
    "name",
    "short_description_nl",
    "short_description_en",
    "long_description_nl",
    "long_description_en",
    "features_nl",
    "features_en",
    "categories",
    "platforms",
    "software_type",
    "development_status",
    "licence",
    "developed_by",
    "maintenance_type",
    "maintenance_contractors",
    "maintenance_contacts",
    "repository_url",
    "documentation_url",
    "landing_url",
    "standards",
    "dependencies",
    "screenshots",
    "estimated_cost",
)
# The columns the audit trail compares (categories are compared separately).
AUDITED_FIELDS = (*(f for f in EDITABLE_FIELDS if f != "categories"), "maintenance_until")
LIST_ITEM_MAX = 500
COST_MAX = Decimal("9999999999.99")


# --- Checking the fields ---------------------------------------------------------------------
class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple] = []

    def add(self, path: str, code: str, message: str) -> None:
        self.items.append((path, code, str(message)))

    def rule(self, path: str, problem: Any) -> None:
        if problem:
            self.add(path, *problem)

    def raise_any(self) -> None:
        if self.items:
            count = len(self.items)
            raise DomainError(
                _("The metadata has %(count)s problem(s); each is listed with its field.")
                % {"count": count},
                field=self.items[0][0],
                code="invalid",
                problems=self.items,
            )


def _text(
    problems: Any, name: str, value: Any, *, required: Any = False, max_length: Any = None
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(name, "type", _("This is text."))
        return ""
    text = value.strip()
    if required and not text:
        problems.add(name, "required", _("Fill this in."))
    elif max_length and len(text) > max_length:
        problems.add(
            name,
            "too_long",
            _("This has at most %(max)s characters; it has %(length)s.")
            % {"max": max_length, "length": len(text)},
        )
    return text


def _strings(
    problems: Any, name: str, value: Any, *, rule: Any = None, max_length: Any = LIST_ITEM_MAX
) -> list[str]:
    """A list of non-empty strings, stripped, in order; empty entries dropped."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        problems.add(name, "type", _("This is a list of texts."))
        return []
    cleaned = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            problems.add(f"{name}.{index}", "type", _("Each entry is text."))
            continue
        item = item.strip()
        if not item:
            continue
        if len(item) > max_length:
            problems.add(
                f"{name}.{index}",
                "too_long",
                _("An entry has at most %(max)s characters.") % {"max": max_length},
            )
        elif rule:
            problems.rule(f"{name}.{index}", rule(item))
        cleaned.append(item)
    return cleaned


def _entries(problems: Any, name: str, value: Any, keys: tuple[str, ...]) -> list[dict]:
    """A list of mappings with text values under `keys`, stripped; empty ones left out."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        problems.add(name, "type", _("This is a list."))
        return []
    cleaned = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            problems.add(f"{name}.{index}", "type", _("Each entry is a set of named values."))
            continue
        kept = {}
        for key in keys:
            item = entry.get(key)
            if item in (None, ""):
                continue
            if isinstance(item, date):
                item = item.isoformat()
            if isinstance(item, str):
                item = item.strip()
            kept[key] = item
        if kept:
            cleaned.append(kept)
    return cleaned


def _url(problems: Any, name: str, value: Any) -> str:
    text = _text(problems, name, value)
    if text:
        problems.rule(name, publiccode.url_problem(text))
    return text


def _choice(problems: Any, name: str, value: Any, choices: Any) -> Any:
    if value not in choices:
        problems.add(
            name,
            "invalid_choice",
            _("%(value)s is not one of: %(choices)s.")
            % {"value": str(value)[:60], "choices": ", ".join(choices)},
        )
    return value


def _dependencies(problems: Any, value: Any) -> list[dict]:
    entries = _entries(
        problems, "dependencies", value, ("name", "kind", "version_min", "version_max", "version")
    )
    originals = value if isinstance(value, list | tuple) else []
    for index, entry in enumerate(entries):
        path = f"dependencies.{index}"
        if not isinstance(entry.get("name"), str) or not entry.get("name"):
            problems.add(f"{path}.name", "required", _("Give the dependency's name."))
        kind = entry.setdefault("kind", "open")
        if kind not in publiccode.DEPENDENCY_KINDS:
            problems.add(
                f"{path}.kind",
                "invalid_choice",
                _("A dependency is open, proprietary or hardware."),
            )
        for key in ("version_min", "version_max", "version"):
            if key in entry and not isinstance(entry[key], str):
                entry[key] = str(entry[key])
        original = originals[index] if index < len(originals) else {}
        if isinstance(original, dict) and isinstance(original.get("optional"), bool):
            entry["optional"] = original["optional"]
    return entries


def _cost(problems: Any, value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        cost = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        problems.add("estimated_cost", "invalid", _("Give the cost as an amount in euros."))
        return None
    if not cost.is_finite() or cost < 0 or cost > COST_MAX:
        problems.add(
            "estimated_cost",
            "invalid",
            _("The cost is an amount from 0 to 9,999,999,999.99 euros."),
        )
        return None
    return cost.quantize(Decimal("0.01"))


def _developed_by(problems: Any, value: Any) -> Organisation | None:
    if value in (None, ""):
        return None
    if isinstance(value, Organisation):
        return value
    organisation = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        organisation = Organisation.objects.filter(pk=int(value)).first()
    if organisation is None:
        problems.add("developed_by", "not_found", _("There is no such organisation."))
    return organisation


# The cleaning of each field, by name; `_cleaner` also knows the families of names (a prefix
# per language, a suffix for links). A cleaner returns the cleaned value, or _SKIP to leave the
# field out (a licence that could not be read).
_SKIP = object()
Cleaner = Callable[[_Problems, str, Any], Any]


def _described(check: Callable[[str], Any]) -> Cleaner:
    """A description in one language: text, held to publiccode.yml's rule for it."""

    def clean(problems: _Problems, name: str, value: Any) -> str:
        text = _text(problems, name, value)
        if text:
            problems.rule(name, check(text))
        return text

    return clean


def _at_least_one(problems: _Problems, name: str, items: list[str], what: str) -> list[str]:
    """A list that may not end up empty (categories, platforms): `what` says what to choose;
    asked only when its entries raised no problem of their own."""
    items = list(dict.fromkeys(items))
    if not items and not any(p[0].startswith(name) for p in problems.items):
        problems.add(name, "required", what)
    return items


def _licence(problems: _Problems, name: str, value: Any) -> Any:
    try:
        return normalise_licence(value)
    except LicenceError as error:
        problems.add(name, error.code, error.message)
        return _SKIP


def _strings_of(problems: _Problems, name: str, value: Any) -> list[str]:
    return _strings(problems, name, value)


_CLEANERS: dict[str, Cleaner] = {
    "name": lambda problems, name, value: _text(
        problems, name, value, required=True, max_length=200
    ),
    "standards": _strings_of,
    "categories": lambda problems, name, value: _at_least_one(
        problems,
        name,
        _strings(problems, name, value, rule=publiccode.category_problem),
        _("Choose at least one category."),
    ),
    "platforms": lambda problems, name, value: _at_least_one(
        problems,
        name,
        _strings(problems, name, value, max_length=50),
        _("Choose at least one platform, such as web."),
    ),
    "software_type": lambda problems, name, value: _choice(
        problems, name, value, SoftwareType.values
    ),
    "development_status": lambda problems, name, value: _choice(
        problems, name, value, DevelopmentStatus.values
    ),
    "licence": _licence,
    "developed_by": lambda problems, name, value: _developed_by(problems, value),
    "maintenance_type": lambda problems, name, value: value,
    "maintenance_contractors": lambda problems, name, value: _entries(
        problems, name, value, ("name", "until", "email", "website")
    ),
    "maintenance_contacts": lambda problems, name, value: _entries(
        problems, name, value, ("name", "email", "phone", "affiliation")
    ),
    "dependencies": lambda problems, name, value: _dependencies(problems, value),
    "screenshots": lambda problems, name, value: _strings(
        problems, name, value, rule=publiccode.screenshot_problem
    ),
    "estimated_cost": lambda problems, name, value: _cost(problems, value),
}
_PREFIX_CLEANERS: tuple[tuple[str, Cleaner], ...] = (
    ("short_description_", _described(publiccode.short_description_problem)),
    ("long_description_", _described(publiccode.long_description_problem)),
    ("features_", _strings_of),
)


def _cleaner(name: str) -> Cleaner | None:
    """How a field is cleaned; None for a name no rule knows (left out, as before)."""
    for prefix, cleaner in _PREFIX_CLEANERS:
        if name.startswith(prefix):
            return cleaner
    if name in _CLEANERS:
        return _CLEANERS[name]
    if name.endswith("_url"):
        return _url
    return None


def _check_short_description(
    problems: _Problems, cleaned: dict, merged: Callable[[str], Any]
) -> None:
    short_given = {"short_description_nl", "short_description_en"} & set(cleaned)
    if short_given and not (merged("short_description_nl") or merged("short_description_en")):
        problems.add(
            "short_description_nl",
            "required",
            _("Give a short description in Dutch or English (at most 150 characters)."),
        )


def _settle_maintenance(problems: _Problems, cleaned: dict, merged: Callable[[str], Any]) -> None:
    """Maintenance is checked as a whole when any part of it is given."""
    maintenance = {"maintenance_type", "maintenance_contractors", "maintenance_contacts"}
    if not maintenance & set(cleaned):
        return
    kind = merged("maintenance_type")
    contractors = merged("maintenance_contractors") or []
    contacts = merged("maintenance_contacts") or []
    for subpath, code, message in publiccode.maintenance_problems(kind, contractors, contacts):
        problems.add(publiccode.field_for_key(f"maintenance.{subpath}"), code, message)
    # Each kind of maintenance keeps only the list publiccode.yml has for it.
    cleaned["maintenance_type"] = kind
    cleaned["maintenance_contractors"] = contractors if kind == MaintenanceType.CONTRACT else []
    cleaned["maintenance_contacts"] = (
        contacts if kind in (MaintenanceType.INTERNAL, MaintenanceType.COMMUNITY) else []
    )


def clean_metadata(fields: dict, current: Solution) -> dict:
    """The given fields, cleaned and checked against publiccode.yml's rules; the rules that
    concern several fields (maintenance, a short description in some language) are checked
    on the solution as it will be. DomainError with every problem otherwise."""
    problems = _Problems()
    cleaned = {}
    for name, value in fields.items():
        cleaner = _cleaner(name)
        if cleaner is None:
            continue
        result = cleaner(problems, name, value)
        if result is not _SKIP:
            cleaned[name] = result

    def merged(name: str) -> Any:
        return cleaned[name] if name in cleaned else getattr(current, name)

    _check_short_description(problems, cleaned, merged)
    _settle_maintenance(problems, cleaned, merged)
    problems.raise_any()
    if "maintenance_type" in cleaned:
        contractors = cleaned["maintenance_contractors"]
        cleaned["maintenance_until"] = (
            min(date.fromisoformat(c["until"]) for c in contractors) if contractors else None
        )
    return cleaned


# --- Services --------------------------------------------------------------------------------
def _snapshot(solution: Solution) -> dict:
    values = audit.snapshot(solution, AUDITED_FIELDS)
    values["categories"] = sorted(solution.categories.values_list("category", flat=True))
    return values


def _apply(solution: Solution, cleaned: dict) -> None:
    categories = cleaned.get("categories")
    for name, value in cleaned.items():
        if name != "categories":
            setattr(solution, name, value)
    solution.updated_at = timezone.now()
    solution.version += 1
    try:
        solution.full_clean(exclude=["search_vector", "slug", "cooperative", "source_product"])
    except ValidationError as error:
        # A safety net: the rules above should have caught it, with a clearer message.
        raise DomainError(
            _("The metadata breaks a rule of the library."),
            problems=[
                (name, "invalid", message)
                for name, messages in error.message_dict.items()
                for message in messages
            ],
        ) from error
    solution.save()
    if categories is not None:
        SolutionCategory.objects.filter(solution=solution).exclude(category__in=categories).delete()
        existing = set(solution.categories.values_list("category", flat=True))
        SolutionCategory.objects.bulk_create(
            [
                SolutionCategory(solution=solution, category=c)
                for c in categories
                if c not in existing
            ]
        )


def fill_metadata(solution: Solution, fields: dict) -> None:
    """Check `fields` as update_solution does and set them on the solution, for a service that
    holds the solution (approving a publication request): no version check, no audit record
    of its own. DomainError with every problem, at the metadata's field names."""
    _apply(solution, clean_metadata(dict(fields), solution))


def _published(solution: Solution, event: str) -> None:
    publish_on_commit(
        solution_group(solution.pk),
        event,
        {"id": solution.pk, "slug": solution.slug, "version": solution.version},
    )


def _locked(solution: Solution) -> Solution:
    return (
        Solution.objects.select_for_update(of=("self",))
        .select_related("cooperative", "developed_by")
        .get(pk=solution.pk)
    )


@transaction.atomic
def update_solution(*, actor: User, solution: Solution, version: int, **fields: dict) -> Solution:
    """Change a solution's metadata if nobody changed it since `version` was read (else
    StaleObject, 412). Every field is checked against publiccode.yml's rules and every problem
    reported at once; the audit trail records what changed."""
    require(actor, "solutions.edit_solution", solution)
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise DomainError(
            _("These fields cannot be edited here: %(fields)s.") % {"fields": ", ".join(unknown)},
            field=unknown[0],
        )
    if isinstance(version, bool) or not isinstance(version, int):
        try:
            version = int(str(version))
        except ValueError:
            raise DomainError(
                _("Send the version of the solution you read, a whole number."), field="version"
            ) from None
    current = _locked(solution)
    if current.version != version:
        raise StaleObject(
            _(
                "Someone else changed %(name)s since you opened it (now version %(version)s). "
                "Reload to see their change."
            )
            % {"name": current.name, "version": current.version},
            field="version",
        )
    cleaned = clean_metadata(fields, current)
    before = _snapshot(current)
    _apply(current, cleaned)
    after = _snapshot(current)
    changes = audit.diff(before, after)
    audit.record(
        actor=actor,
        action="solution.updated",
        obj=current,
        cooperative=current.cooperative,
        changes=changes,
    )
    _published(current, "solution.updated")
    return current


def _unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "oplossing"
    if base in RESERVED_SLUGS:
        base = f"{base}-oplossing"
    slug, number = base, 1
    while Solution.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _as_domain_error(problems: Any) -> DomainError:
    return DomainError(
        _(
            "The publiccode.yml has %(count)s problem(s); each is listed with its key path. "
            "Nothing was imported."
        )
        % {"count": len(problems)},
        code="invalid_publiccode",
        problems=[p.as_error() for p in problems],
    )


@transaction.atomic
def import_publiccode(
    *, actor: User, cooperative: Cooperative | None, text: str, solution: Solution | None = None
) -> Solution:
    """Read a publiccode.yml into the library: a new solution of `cooperative` (for its
    coordinators), or new metadata for `solution` (for those who may edit it). Every problem
    of the file is reported at once, with its key path, and nothing is written if there is
    one; warnings (deprecated keys, an older version) do not stop it, and what an older file
    says otherwise is read in today's terms and listed in `publiccode_upgrades` on the
    solution returned (and in the audit record). The release history is the library's own:
    softwareVersion and releaseDate are read by publication, not here."""
    if solution is None:
        require(actor, "solutions.import_solution", cooperative)
    else:
        require(actor, "solutions.edit_solution", solution)
        if cooperative is not None and cooperative.pk != solution.cooperative_id:
            raise DomainError(
                _("%(solution)s belongs to another cooperative.") % {"solution": solution.name},
                field="cooperative",
            )
    reading = publiccode.read_publiccode_text(text)
    if reading.errors:
        raise _as_domain_error(reading.errors)
    fields = reading.fields
    categories = fields.pop("categories")
    owner_name = fields.pop("developed_by_name")
    developed_by = (
        Organisation.objects.filter(name__iexact=owner_name).order_by("pk").first()
        if owner_name
        else None
    )
    if solution is None:
        created = Solution(cooperative=cooperative, slug=_unique_slug(fields["name"]), version=0)
        created.developed_by = developed_by
        before = {}
        target = created
    else:
        target = _locked(solution)
        before = _snapshot(target)
        if developed_by is not None:
            target.developed_by = developed_by
    try:
        with transaction.atomic():
            _apply(target, {**fields, "categories": categories})
    except IntegrityError as error:
        raise Conflict(
            _("Another solution took this name's address just now; try again."), field="name"
        ) from error
    after = _snapshot(target)
    audit.record(
        actor=actor,
        action="solution.imported",
        obj=target,
        cooperative=target.cooperative,
        changes=audit.diff(before, after),
        reason=" ".join([_("Read from a publiccode.yml."), *reading.upgrades]),
    )
    _published(target, "solution.updated")
    # What an older file said otherwise, for the page or the API to show.
    target.publiccode_upgrades = reading.upgrades
    return target

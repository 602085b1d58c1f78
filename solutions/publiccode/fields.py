"""The one mapping between publiccode.yml's keys and the library's metadata fields.

The metadata API and pages name a solution's fields as `solutions.services.metadata` does
(`repository_url`, `long_description_nl`, `maintenance_contractors.0.until`); a file's problems
are found at publiccode.yml's key paths (`url`, `description.nl.longDescription`,
`maintenance.contractors[0].until`). Whatever reports a problem of the solution's own metadata
(the export's 409, the incomplete-file page, the publication queue) names the field and gives
the key in its message, through `metadata_problems()`; nothing else translates between them.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignObjectRel

# (publiccode.yml key, metadata field); "{lang}" stands for a language of the description.
# The first key that begins a path decides.
KEYS = (
    ("publiccodeYmlVersion", None),
    ("name", "name"),
    ("url", "repository_url"),
    ("landingURL", "landing_url"),
    ("platforms", "platforms"),
    ("categories", "categories"),
    ("developmentStatus", "development_status"),
    ("softwareType", "software_type"),
    ("description.{lang}.localisedName", "name"),
    ("description.{lang}.shortDescription", "short_description_{lang}"),
    ("description.{lang}.longDescription", "long_description_{lang}"),
    ("description.{lang}.features", "features_{lang}"),
    ("description.{lang}.documentation", "documentation_url"),
    ("description.{lang}.screenshots", "screenshots"),
    ("legal.license", "licence"),
    ("legal.mainCopyrightOwner", "developed_by"),
    ("maintenance.type", "maintenance_type"),
    ("maintenance.contractors", "maintenance_contractors"),
    ("maintenance.contacts", "maintenance_contacts"),
    ("dependsOn", "dependencies"),
)
_INDEX = re.compile(r"\[(\d+)\]")
_PATTERNS = [
    (
        re.compile(
            "^" + re.escape(key).replace(r"\{lang\}", r"(?P<lang>[^.\[]+)") + r"(?P<rest>.*)$"
        ),
        field,
    )
    for key, field in KEYS
]


def field_for_key(path: str) -> str | None:
    """The metadata field (with any index or subkey, `maintenance_contractors.0.until`) that a
    publiccode.yml key path is written from, or None when no field writes it."""
    for pattern, field in _PATTERNS:
        match = pattern.match(path or "")
        if match is None:
            continue
        rest = match.group("rest")
        if rest and rest[0] not in ".[":
            continue  # `names` is not `name`
        if field is None:
            return None
        field = field.replace("{lang}", match.groupdict().get("lang") or "")
        rest = _INDEX.sub(r".\1", rest)
        return field + rest
    return None


def key_for_field(field: str) -> str | None:
    """The publiccode.yml key a metadata field is written to, or None (the first listed)."""
    base, _dot, rest = field.partition(".")
    for key, candidate in KEYS:
        if candidate is None:
            continue
        if "{lang}" in candidate:
            prefix = candidate.replace("{lang}", "")
            if base.startswith(prefix):
                key = key.replace("{lang}", base[len(prefix) :])
            else:
                continue
        elif candidate != base:
            continue
        suffix = "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in rest.split("."))
        return key + (suffix if rest else "")
    return None


def field_label(field: str | None) -> str:
    """The name a person reads for a metadata field: the library's own label."""
    if not field:
        return ""
    from solutions.models import Solution, SolutionCategory

    base = field.split(".")[0]
    if base == "categories":
        return str(SolutionCategory._meta.verbose_name_plural)
    try:
        field_ = Solution._meta.get_field(base)
    except FieldDoesNotExist:
        return ""
    # Another model's relation to solutions has no label of the library's own either.
    return "" if isinstance(field_, ForeignObjectRel) else str(field_.verbose_name)


@dataclass(frozen=True)
class MetadataProblem:
    """A problem of the exported file, told in the metadata's terms: `field` as the metadata
    API and form name it (None where no field writes the key), `path` the file's key path."""

    path: str
    field: str | None
    label: str
    code: str
    message: str

    def as_error(self) -> tuple:
        """(field, code, message) for the API's error shape: the field, the key in the text."""
        if self.field is None:
            return (self.path or None, self.code, self.message)
        return (self.field, self.code, f"{self.message} (publiccode.yml: {self.path})")


def metadata_problems(problems) -> list[MetadataProblem]:
    """The validator's problems of a solution's exported file, in the metadata's terms."""
    described = []
    for problem in problems:
        field = field_for_key(problem.path)
        described.append(
            MetadataProblem(
                path=problem.path,
                field=field,
                label=field_label(field),
                code=problem.code,
                message=problem.message,
            )
        )
    return described

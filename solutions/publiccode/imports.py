"""Reading a publiccode.yml into a solution's fields, from any version the validator reads.

- `upgrade_publiccode(data)` → (data in the current version's terms, what was upgraded): an
  older or deprecated spelling is read as today's, and each change is listed in words, so an
  import can say what it took differently from what the file says.
- `read_publiccode_text(text)` → a `Reading`: the fields, the errors that stop the import, the
  warnings, and the upgrades.
- `solution_fields_from_text(text)` → (fields, errors): what the repository sync reads.
- `read_solution_fields(data)` maps a valid file onto a solution's fields.
"""

import copy
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from solutions.licences import normalise_licence
from solutions.models import MaintenanceType
from solutions.publiccode.export import LANGUAGES, present
from solutions.publiccode.parse import parse_publiccode
from solutions.publiccode.rules import DEPENDENCY_KINDS, URL_MAX, Problem
from solutions.publiccode.validate import check_publiccode
from solutions.vocabularies import CURRENT_VERSION, LATEST_VERSIONS

NAME_MAX = 200
# Keys the current version deprecates and this library does not keep: dropped on import.
_DROPPED = ("monochromeLogo", "inputTypes", "outputTypes")


@dataclass
class Reading:
    """What an import makes of a file's text."""

    fields: dict = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    upgrades: list[str] = field(default_factory=list)


def upgrade_publiccode(data: dict) -> tuple[dict, list[str]]:
    """A copy of a (valid) file in the current version's terms, and what was changed."""
    data = copy.deepcopy(data)
    upgrades = []
    version = data.get("publiccodeYmlVersion")
    if version not in LATEST_VERSIONS:
        upgrades.append(
            _("publiccodeYmlVersion %(old)s read as %(new)s.")
            % {"old": version, "new": CURRENT_VERSION}
        )
        data["publiccodeYmlVersion"] = CURRENT_VERSION
    legal = data.get("legal") or {}
    if legal.get("repoOwner"):
        organisation = data.get("organisation") or {}
        if not organisation.get("name"):
            upgrades.append(
                _("legal.repoOwner (%(name)s) read as organisation.name.")
                % {"name": legal["repoOwner"]}
            )
        else:
            upgrades.append(_("legal.repoOwner dropped: organisation.name says who publishes."))
        legal.pop("repoOwner")
    if "authorsFile" in legal:
        legal.pop("authorsFile")
        upgrades.append(_("legal.authorsFile dropped (deprecated)."))
    for key in _DROPPED:
        if key in data:
            data.pop(key)
            upgrades.append(_("%(key)s dropped (deprecated).") % {"key": key})
    for language, texts in (data.get("description") or {}).items():
        if isinstance(texts, dict) and "genericName" in texts:
            texts.pop("genericName")
            upgrades.append(
                _("description.%(language)s.genericName dropped (deprecated).")
                % {"language": language}
            )
    audience = data.get("intendedAudience") or {}
    for key in ("countries", "unsupportedCountries"):
        values = audience.get(key) or []
        if any(isinstance(v, str) and v.islower() for v in values):
            audience[key] = [v.upper() if isinstance(v, str) else v for v in values]
            upgrades.append(
                _("intendedAudience.%(key)s written in upper case (%(values)s).")
                % {"key": key, "values": ", ".join(audience[key])}
            )
    if "it" in data:
        section = data.pop("it")
        data.setdefault("IT", section)
        upgrades.append(_("The section it read as IT."))
    return data, upgrades


def read_publiccode_text(text) -> Reading:
    """A publiccode.yml's text as a solution's fields: parsed, checked, upgraded, then
    fitted. With any error there are no fields."""
    data, problems = parse_publiccode(text)
    if problems:
        return Reading(errors=problems)
    assert isinstance(data, dict)  # parse_publiccode gives a mapping when it finds no problem
    found = check_publiccode(data)
    errors = [p for p in found if p.is_error]
    warnings = [p for p in found if not p.is_error]
    if errors:
        return Reading(errors=errors, warnings=warnings)
    upgraded, upgrades = upgrade_publiccode(data)
    fields, problems = read_solution_fields(upgraded)
    if problems:
        return Reading(errors=problems, warnings=warnings, upgrades=upgrades)
    return Reading(fields=fields, warnings=warnings, upgrades=upgrades)


def solution_fields_from_text(text) -> tuple[dict, list[Problem]]:
    """A publiccode.yml's text as a solution's fields (see read_solution_fields), or the
    errors that stop it, each with its key path: parsed, validated, then fitted. Warnings
    (deprecated keys, an older version) do not stop it."""
    reading = read_publiccode_text(text)
    return reading.fields, reading.errors


def _language_key(description: dict, language: str):
    for key in description:
        if isinstance(key, str) and (
            key.lower() == language or key.lower().startswith(f"{language}-")
        ):
            return key
    return None


def read_solution_fields(data: dict) -> tuple[dict, list[Problem]]:
    """A valid file's content as a solution's fields (plus `categories` and
    `developed_by_name`), and the problems of fitting it into a solution."""
    description = data.get("description") or {}
    keys = {language: _language_key(description, language) for language in LANGUAGES}
    problems = _fitting_problems(data, keys)
    platforms = data["platforms"]  # required: check_publiccode refused a file without it
    fields = {
        "name": data["name"].strip(),
        "repository_url": data["url"],
        "landing_url": data.get("landingURL") or "",
        "platforms": [platforms] if isinstance(platforms, str) else list(platforms),
        "development_status": data["developmentStatus"],
        "software_type": data["softwareType"],
        "categories": list(dict.fromkeys(data.get("categories") or [])),
        "licence": normalise_licence(data["legal"]["license"]),
        "developed_by_name": (data["legal"].get("mainCopyrightOwner") or "").strip(),
    }
    fields.update(_description_fields(description, keys))
    documentation = fields["documentation_url"]
    if isinstance(documentation, str) and len(documentation) > URL_MAX:
        problems.append(Problem("description", "too_long", _("The documentation URL is too long.")))
    fields.update(_maintenance_fields(data["maintenance"]))
    fields["dependencies"] = _dependency_fields(data.get("dependsOn") or {})
    return fields, problems


def _fitting_problems(data: dict, keys: dict) -> list[Problem]:
    """What a valid file may say that the library cannot keep: no description in a language
    it keeps, a name or a web address longer than its column."""
    problems = []
    if not any(keys.values()):
        problems.append(
            Problem(
                "description",
                "no_supported_language",
                _(
                    "Describe the software in Dutch (nl) or English (en): this library keeps "
                    "descriptions in those languages."
                ),
            )
        )
    if len(data["name"].strip()) > NAME_MAX:
        # The standard sets no limit; the library's column does.
        problems.append(
            Problem(
                "name",
                "too_long",
                _("A name has at most %(max)s characters here.") % {"max": NAME_MAX},
            )
        )
    for key in ("url", "landingURL"):
        if isinstance(data.get(key), str) and len(data[key]) > URL_MAX:
            problems.append(
                Problem(
                    key,
                    "too_long",
                    _("A web address has at most %(max)s characters.") % {"max": URL_MAX},
                )
            )
    return problems


def _description_fields(description: dict, keys: dict) -> dict:
    """The texts per language kept; documentation and screenshots (one each in the library)
    from the first language that has them."""
    fields: dict = {}
    documentation = ""
    screenshots: list[str] = []
    for language in LANGUAGES:
        texts = description.get(keys[language]) if keys[language] else None
        texts = texts if isinstance(texts, dict) else {}
        fields[f"short_description_{language}"] = (texts.get("shortDescription") or "").strip()
        fields[f"long_description_{language}"] = (texts.get("longDescription") or "").strip()
        fields[f"features_{language}"] = [f.strip() for f in texts.get("features") or []]
        documentation = documentation or texts.get("documentation") or ""
        screenshots = screenshots or list(texts.get("screenshots") or [])
    fields["documentation_url"] = documentation
    fields["screenshots"] = screenshots
    return fields


def _maintenance_fields(maintenance: dict) -> dict:
    """The kind of maintenance and the one list that kind has; maintained until the first
    contract ends."""
    kind = maintenance["type"]
    contractors, contacts = [], []
    if kind == MaintenanceType.CONTRACT:
        contractors = [
            present(c, ("name", "until", "email", "website")) for c in maintenance["contractors"]
        ]
    if kind in (MaintenanceType.INTERNAL, MaintenanceType.COMMUNITY):
        contacts = [
            present(c, ("name", "email", "phone", "affiliation")) for c in maintenance["contacts"]
        ]
    return {
        "maintenance_type": kind,
        "maintenance_contractors": contractors,
        "maintenance_contacts": contacts,
        "maintenance_until": (
            min(date.fromisoformat(c["until"]) for c in contractors) if contractors else None
        ),
    }


# The dependency's keys as the standard names them, and as stored.
_DEPENDENCY_VERSIONS = (
    ("versionMin", "version_min"),
    ("versionMax", "version_max"),
    ("version", "version"),
)


def _dependency_fields(depends_on: dict) -> list[dict]:
    """dependsOn as one list, each entry with its kind, kinds in the standard's order."""
    dependencies = []
    for kind_name in DEPENDENCY_KINDS:
        for dependency in depends_on.get(kind_name) or []:
            entry = {"name": dependency["name"], "kind": kind_name}
            for theirs, ours in _DEPENDENCY_VERSIONS:
                if dependency.get(theirs) not in (None, ""):
                    entry[ours] = str(dependency[theirs])
            if isinstance(dependency.get("optional"), bool):
                entry["optional"] = dependency["optional"]
            dependencies.append(entry)
    return dependencies

"""Writing a solution's publiccode.yml, in the current version of the standard.

- `export_publiccode(solution)` → dict, keys in the standard's order.
- `publiccode_yaml(solution)` → the file's text (YAML 1.2, by ruamel.yaml, so a value such as
  `0o17` or `yes` is quoted wherever a YAML 1.2 reader would take it for something else).

The file declares `publiccodeYmlVersion: "0.7.0"` and names the publisher in `organisation`
(the cooperative, identified by `urn:x-deelbaar:cooperative:<slug>`), not in the deprecated
`legal.repoOwner`; the export of a complete solution passes `check_publiccode` with no error
and no warning.
"""

import io

from django.utils import timezone
from ruamel.yaml import YAML
from ruamel.yaml.representer import SafeRepresenter

from solutions.models import AdoptionState, MaintenanceType
from solutions.publiccode.rules import DEPENDENCY_KINDS
from solutions.selectors.publication import newest_release
from solutions.vocabularies import CATEGORIES, CURRENT_VERSION

PUBLICCODE_YML_VERSION = CURRENT_VERSION
LANGUAGES = ("nl", "en")
PLATFORMS = ("web", "windows", "mac", "linux", "ios", "android")
ORGANISATION_URN = "urn:x-deelbaar:cooperative:{slug}"


def _described_languages(solution) -> list[str]:
    return [
        language
        for language in LANGUAGES
        if getattr(solution, f"short_description_{language}")
        or getattr(solution, f"long_description_{language}")
        or getattr(solution, f"features_{language}")
    ]


def organisation_uri(cooperative) -> str:
    """The URI that names a cooperative in the files it publishes: stable as its slug."""
    return ORGANISATION_URN.format(slug=cooperative.slug)


def export_publiccode(solution) -> dict:
    """The solution's publiccode.yml as a dict, keys in the standard's order.

    Mandatory keys the solution cannot fill are left out rather than invented (so the
    validator names them), with two exceptions: platforms defaults to ["web"], and
    localisation lists the languages the solution is described in (Dutch when none).
    """
    data = {"publiccodeYmlVersion": PUBLICCODE_YML_VERSION, "name": solution.name}
    if solution.repository_url:
        data["url"] = solution.repository_url
    if solution.landing_url:
        data["landingURL"] = solution.landing_url
    data.update(_release(solution))
    data["organisation"] = {
        "uri": organisation_uri(solution.cooperative),
        "name": solution.cooperative.name,
    }
    data["platforms"] = list(solution.platforms or ["web"])
    # Only the standard's categories: a stored value the standard dropped is not written.
    categories = sorted(c.category for c in solution.categories.all() if c.category in CATEGORIES)
    if categories:
        data["categories"] = categories
    used_by = _used_by(solution)
    if used_by:
        data["usedBy"] = used_by
    data["developmentStatus"] = str(solution.development_status)
    data["softwareType"] = str(solution.software_type)
    languages = _described_languages(solution)
    description = {language: _description(solution, language) for language in languages}
    if description:
        data["description"] = description
    legal = {"license": solution.licence}
    if solution.developed_by_id:
        legal["mainCopyrightOwner"] = solution.developed_by.name
    data["legal"] = legal
    data["maintenance"] = _maintenance(solution)
    available = languages or ["nl"]
    data["localisation"] = {
        "localisationReady": len(available) > 1,
        "availableLanguages": available,
    }
    depends_on = _depends_on(solution)
    if depends_on:
        data["dependsOn"] = depends_on
    return data


def _release(solution) -> dict:
    """softwareVersion and releaseDate from the newest release; nothing before the first."""
    release = newest_release(solution)
    if release is None:
        return {}
    return {
        "softwareVersion": release.version,
        "releaseDate": timezone.localdate(release.published_at).isoformat(),
    }


def _description(solution, language: str) -> dict:
    """The description in one language: only the texts the solution has in it."""
    texts = {"localisedName": solution.name}
    short = getattr(solution, f"short_description_{language}")
    long = getattr(solution, f"long_description_{language}")
    features = getattr(solution, f"features_{language}")
    if short:
        texts["shortDescription"] = short
    if long:
        texts["longDescription"] = long
    if solution.documentation_url:
        texts["documentation"] = solution.documentation_url
    if features:
        texts["features"] = list(features)
    if solution.screenshots:
        texts["screenshots"] = list(solution.screenshots)
    return texts


def _maintenance(solution) -> dict:
    """The kind of maintenance, with the one list the standard has for that kind."""
    maintenance: dict[str, str | list[dict]] = {"type": str(solution.maintenance_type)}
    if solution.maintenance_type == MaintenanceType.CONTRACT:
        maintenance["contractors"] = [
            present(c, ("name", "until", "email", "website"))
            for c in solution.maintenance_contractors or []
        ]
    if solution.maintenance_type in (MaintenanceType.INTERNAL, MaintenanceType.COMMUNITY):
        maintenance["contacts"] = [
            present(c, ("name", "email", "phone", "affiliation"))
            for c in solution.maintenance_contacts or []
        ]
    return maintenance


# The dependency's keys as stored, and as the standard names them.
_DEPENDENCY_VERSIONS = (
    ("version_min", "versionMin"),
    ("version_max", "versionMax"),
    ("version", "version"),
)


def _depends_on(solution) -> dict:
    """dependsOn: the named dependencies by kind (open when unknown), kinds in the standard's
    order; entries without a name are left out."""
    depends_on: dict[str, list[dict]] = {}
    for dependency in solution.dependencies or []:
        if not isinstance(dependency, dict) or not dependency.get("name"):
            continue
        kind: str = dependency["kind"] if dependency.get("kind") in DEPENDENCY_KINDS else "open"
        depends_on.setdefault(kind, []).append(_dependency(dependency))
    return {kind: depends_on[kind] for kind in DEPENDENCY_KINDS if kind in depends_on}


def _dependency(dependency: dict) -> dict:
    entry = {"name": dependency["name"]}
    for ours, theirs in _DEPENDENCY_VERSIONS:
        if dependency.get(ours) not in (None, ""):
            entry[theirs] = str(dependency[ours])
    if isinstance(dependency.get("optional"), bool):
        entry["optional"] = dependency["optional"]
    return entry


def present(entry, keys) -> dict:
    """The given keys of `entry` that have a value."""
    if not isinstance(entry, dict):
        return {}
    return {key: entry[key] for key in keys if entry.get(key) not in (None, "")}


def _used_by(solution) -> list[str]:
    """Organisations that have the solution in use, as each recorded itself (verified,
    unlike a free-text usedBy)."""
    return sorted(
        set(
            solution.adoptions.filter(state=AdoptionState.IN_USE).values_list(
                "organisation__name", flat=True
            )
        )
    )


class _Representer(SafeRepresenter):
    """Keys in the order given; long texts as literal blocks; choices as plain strings."""

    def represent_text(self, value):
        value = str(value)  # choices are str subclasses
        if "\n" in value:
            return self.represent_scalar("tag:yaml.org,2002:str", value, style="|")
        return self.represent_str(value)

    def represent_ordered(self, value):
        return self.represent_mapping("tag:yaml.org,2002:map", value.items())


_Representer.add_representer(str, _Representer.represent_text)
_Representer.add_multi_representer(str, _Representer.represent_text)
_Representer.add_representer(dict, _Representer.represent_ordered)


def dump_publiccode(data: dict) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(data, stream)
    header = "# publiccode.yml, written by Deelbaar. The standard: https://yml.publiccode.tools/\n"
    return header + stream.getvalue()


def publiccode_yaml(solution) -> str:
    """The text of the solution's publiccode.yml."""
    return dump_publiccode(export_publiccode(solution))

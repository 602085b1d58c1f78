"""publiccode.yml: writing a solution's file, checking any file, and reading one into a
solution's fields.

- `export_publiccode(solution)` → dict, `publiccode_yaml(solution)` → the file's text. The file
  says `publiccodeYmlVersion: "0.4"`: the version most catalogues read today, whose keys the
  later versions (through 0.7) keep, so one file serves them all.
- `validate_publiccode(data)` → every `Problem` at once, each with its key path
  ("description.nl.shortDescription", "maintenance.contractors.0.until"). `data` is the parsed
  file or its text; text that is too large, not YAML, or not a mapping is one problem at the
  root (path "").
- `parse_publiccode(text)` reads text safely: a size limit before parsing, `yaml.safe_load`'s
  constructors without anchors and aliases (no "billion laughs"), a nesting limit, no
  duplicate keys, and dates kept as the strings the standard asks for.
- `read_solution_fields(data)` maps a valid file onto a solution's fields.

The field rules (`short_description_problem`, `maintenance_problems`, ...) are shared with the
metadata service, so a form, the API and an imported file are held to the same rules.
"""

import re
from dataclasses import dataclass
from datetime import date

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solutions.licences import LicenceError, normalise_licence
from solutions.models import (
    LONG_DESCRIPTION_MAX,
    LONG_DESCRIPTION_MIN,
    SHORT_DESCRIPTION_MAX,
    AdoptionState,
    Category,
    DevelopmentStatus,
    MaintenanceType,
    SoftwareType,
)
from solutions.selectors.publication import newest_release

PUBLICCODE_YML_VERSION = "0.4"
# "0" (the latest of major version 0) and 0.2 through 0.7, with or without a patch number.
SUPPORTED_VERSION = re.compile(r"^0(\.[2-7](\.\d+)?)?$")
MAX_BYTES = 256 * 1024
MAX_DEPTH = 20
LANGUAGES = ("nl", "en")
PLATFORMS = ("web", "windows", "mac", "linux", "ios", "android")
DEPENDENCY_KINDS = ("open", "proprietary", "hardware")
LOGO_EXTENSIONS = (".svg", ".svgz", ".png")
SCREENSHOT_EXTENSIONS = (".png", ".jpg", ".jpeg")
GENERIC_NAME_MAX = 35
NAME_MAX = 200
URL_MAX = 500
DATE_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# BCP 47, loosely: a primary language subtag, then subtags of letters and digits.
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
COUNTRY_CODE = re.compile(r"^[A-Za-z]{2}$")

_url = URLValidator(schemes=["http", "https"])
_email = EmailValidator()


@dataclass(frozen=True)
class Problem:
    """One fault of a file: where (a key path, "" for the file as a whole), what, and why."""

    path: str
    code: str
    message: str

    def as_error(self) -> tuple:
        """(field, code, message) as DomainError's `problems` take it; the root is None."""
        return (self.path or None, self.code, self.message)


# --- Rules shared with the metadata service ---------------------------------------------------
def short_description_problem(value):
    """(code, message) when `value` is no valid short description, else None."""
    if not isinstance(value, str):
        return "type", _("A short description is text.")
    if not value.strip():
        return "required", _("Give a short description: one sentence of at most 150 characters.")
    if len(value) > SHORT_DESCRIPTION_MAX:
        return "too_long", _(
            "A short description has at most %(max)s characters; this one has %(length)s."
        ) % {"max": SHORT_DESCRIPTION_MAX, "length": len(value)}
    return None


def long_description_problem(value):
    """(code, message) when `value` is no valid long description (150 to 10,000), else None."""
    if not isinstance(value, str):
        return "type", _("A long description is text.")
    if len(value.strip()) < LONG_DESCRIPTION_MIN:
        return "too_short", _(
            "A long description has at least %(min)s characters; this one has %(length)s."
        ) % {"min": LONG_DESCRIPTION_MIN, "length": len(value.strip())}
    if len(value) > LONG_DESCRIPTION_MAX:
        return "too_long", _(
            "A long description has at most %(max)s characters; this one has %(length)s."
        ) % {"max": LONG_DESCRIPTION_MAX, "length": len(value)}
    return None


def url_problem(value, *, max_length=URL_MAX):
    if not isinstance(value, str) or not value.strip():
        return "type", _("Give a web address (URL), starting with https:// or http://.")
    if len(value) > max_length:
        return "too_long", _("A web address has at most %(max)s characters.") % {"max": max_length}
    try:
        _url(value)
    except ValidationError:
        return "invalid_url", _(
            "%(value)s is not a web address; give a full URL starting with https:// or http://."
        ) % {"value": value[:100]}
    return None


def email_problem(value):
    if not isinstance(value, str):
        return "type", _("An e-mail address is text.")
    try:
        _email(value)
    except ValidationError:
        return "invalid_email", _("%(value)s is not an e-mail address.") % {"value": value[:100]}
    return None


def date_problem(value):
    """A date is a string in the form YYYY-MM-DD, and a real day."""
    if not isinstance(value, str) or not DATE_FORMAT.match(value):
        return "invalid_date", _(
            "Write the date as YYYY-MM-DD, such as 2026-12-31 (not %(value)s)."
        ) % {"value": str(value)[:40]}
    try:
        date.fromisoformat(value)
    except ValueError:
        return "invalid_date", _("%(value)s is not a day of the calendar.") % {"value": value}
    return None


def licence_problem(value):
    try:
        normalise_licence(value)
    except LicenceError as error:
        return error.code, error.message
    return None


def category_problem(value):
    if not isinstance(value, str) or value not in Category.values:
        return "unknown_category", _(
            "%(value)s is not a category of publiccode.yml's list (such as grant-management "
            "or document-management)."
        ) % {"value": str(value)[:60]}
    return None


def contractor_problems(contractor) -> list[tuple]:
    """(subpath, code, message) for one contractor: name and until (YYYY-MM-DD) are required."""
    if not isinstance(contractor, dict):
        return [
            ("", "type", _("A contractor has a name and an end date ('until').")),
        ]
    problems = []
    name = contractor.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(("name", "required", _("Give the contractor's name.")))
    until = contractor.get("until")
    if until in (None, ""):
        problems.append(
            ("until", "required", _("Give the date the maintenance contract ends (YYYY-MM-DD)."))
        )
    elif problem := date_problem(until):
        problems.append(("until", *problem))
    if contractor.get("email") not in (None, "") and (
        problem := email_problem(contractor["email"])
    ):
        problems.append(("email", *problem))
    if contractor.get("website") not in (None, "") and (
        problem := url_problem(contractor["website"])
    ):
        problems.append(("website", *problem))
    return problems


def contact_problems(contact) -> list[tuple]:
    """(subpath, code, message) for one contact: a name is required."""
    if not isinstance(contact, dict):
        return [("", "type", _("A contact has at least a name."))]
    problems = []
    name = contact.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(("name", "required", _("Give the contact's name.")))
    if contact.get("email") not in (None, "") and (problem := email_problem(contact["email"])):
        problems.append(("email", *problem))
    for key in ("phone", "affiliation"):
        value = contact.get(key)
        if value not in (None, "") and not isinstance(value, str):
            problems.append((key, "type", _("This is text; put a phone number in quotes.")))
    return problems


def maintenance_problems(kind, contractors, contacts) -> list[tuple]:
    """(subpath, code, message) for publiccode.yml's maintenance rules: a contract needs
    contractors, each with an end date; internal and community maintenance need contacts."""
    if kind not in MaintenanceType.values:
        return [
            (
                "type",
                "invalid_choice" if kind not in (None, "") else "required",
                _("Maintenance is one of: %(choices)s.")
                % {"choices": ", ".join(MaintenanceType.values)},
            )
        ]
    problems = []
    if kind == MaintenanceType.CONTRACT:
        if not isinstance(contractors, list) or not contractors:
            problems.append(
                (
                    "contractors",
                    "required",
                    _("Maintenance under contract names its contractors, each with an end date."),
                )
            )
        else:
            for index, contractor in enumerate(contractors):
                for subpath, code, message in contractor_problems(contractor):
                    problems.append((_join("contractors", index, subpath), code, message))
    if kind in (MaintenanceType.INTERNAL, MaintenanceType.COMMUNITY):
        if not isinstance(contacts, list) or not contacts:
            problems.append(
                (
                    "contacts",
                    "required",
                    _("Internal and community maintenance names at least one contact person."),
                )
            )
        else:
            for index, contact in enumerate(contacts):
                for subpath, code, message in contact_problems(contact):
                    problems.append((_join("contacts", index, subpath), code, message))
    return problems


def screenshot_problem(value):
    if not isinstance(value, str) or not value.strip():
        return "type", _("A screenshot is the path or URL of an image.")
    if len(value) > URL_MAX:
        return "too_long", _("A screenshot's path has at most %(max)s characters.") % {
            "max": URL_MAX
        }
    if not value.lower().split("?")[0].endswith(SCREENSHOT_EXTENSIONS):
        return "invalid_format", _("A screenshot is a PNG or JPEG image (.png, .jpg).")
    return None


def _join(*parts) -> str:
    return ".".join(str(p) for p in parts if p not in (None, ""))


# --- Parsing ---------------------------------------------------------------------------------
class _Loader(yaml.SafeLoader):
    """safe_load's constructors, without anchors and aliases, nesting at most MAX_DEPTH deep,
    refusing duplicate keys, and keeping dates as strings (the standard's dates are strings)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases are not allowed here", event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, "the file is nested too deeply", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key '{key_node.value}' occurs twice", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_publiccode(text) -> tuple[object, list[Problem]]:
    """(data, []) for a file that parses to a mapping, else (None, [one problem at the root])."""
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_BYTES:
            return None, [_too_large(len(text))]
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            return None, [Problem("", "encoding", _("A publiccode.yml is UTF-8 text."))]
    if not isinstance(text, str):
        return None, [Problem("", "type", _("Give the text of a publiccode.yml file."))]
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        return None, [_too_large(size)]
    if not text.strip():
        return None, [Problem("", "required", _("The file is empty."))]
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506  (a SafeLoader, restricted further)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = (
            _(" (line %(line)s, column %(column)s)")
            % {"line": mark.line + 1, "column": mark.column + 1}
            if mark
            else ""
        )
        problem = error.problem or error.context or str(error)
        return None, [
            Problem(
                "",
                "invalid_yaml",
                _("This is not valid YAML: %(problem)s%(where)s.")
                % {"problem": problem, "where": where},
            )
        ]
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        return None, [
            Problem(
                "", "invalid_yaml", _("This is not valid YAML: %(problem)s.") % {"problem": error}
            )
        ]
    if not isinstance(data, dict):
        return None, [
            Problem(
                "",
                "not_a_mapping",
                _(
                    "A publiccode.yml is a mapping of keys (publiccodeYmlVersion, name, url, ...), "
                    "not a single value or a list."
                ),
            )
        ]
    # YAML escapes ("\0") make NUL characters that no database column can keep.
    nul = [Problem(path, "invalid_character", _NUL_MESSAGE) for path in _nul_paths(data, "")]
    if nul:
        return None, nul
    return data, []


_NUL_MESSAGE = gettext_lazy("Text may not contain the NUL character (\\0).")


def _nul_paths(value, path):
    """Key paths of every string (key or value) that holds a NUL character."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            where = _join(path, str(key))
            if isinstance(key, str) and "\x00" in key:
                yield where
            yield from _nul_paths(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, _join(path, str(index)))


def _too_large(size) -> Problem:
    return Problem(
        "",
        "too_large",
        _("A publiccode.yml is at most %(max)s KB; this one is %(size)s KB.")
        % {"max": MAX_BYTES // 1024, "size": (size + 1023) // 1024},
    )


# --- Validation ------------------------------------------------------------------------------
class _Checker:
    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, path, code, message):
        self.problems.append(Problem(path, code, str(message)))

    def add_rule(self, path, problem):
        if problem:
            self.add(path, *problem)

    def required(self, mapping, key, path) -> bool:
        if mapping.get(key) is None or mapping.get(key) == "":
            self.add(path, "required", _("%(key)s is required.") % {"key": path})
            return False
        return True

    def text(self, mapping, key, path, *, required=False, max_length=None, numbers=False):
        value = mapping.get(key)
        if value is None or value == "":
            if required:
                self.add(path, "required", _("%(key)s is required.") % {"key": path})
            return None
        if numbers and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(path, "type", _("%(key)s is text.") % {"key": path})
            return None
        if max_length and len(value) > max_length:
            self.add(
                path,
                "too_long",
                _("%(key)s has at most %(max)s characters; this one has %(length)s.")
                % {"key": path, "max": max_length, "length": len(value)},
            )
        return value

    def mapping(self, data, key, path, *, required=False):
        value = data.get(key)
        if value is None:
            if required:
                self.add(path, "required", _("The section %(key)s is required.") % {"key": path})
            return None
        if not isinstance(value, dict):
            self.add(path, "type", _("%(key)s is a section of keys.") % {"key": path})
            return None
        return value

    def sequence(self, data, key, path, *, required=False, allow_single=False):
        value = data.get(key)
        if value is None or value == []:
            if required:
                self.add(path, "required", _("%(key)s needs at least one entry.") % {"key": path})
            return None
        if allow_single and isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            self.add(path, "type", _("%(key)s is a list.") % {"key": path})
            return None
        return value

    def strings(self, data, key, path, *, required=False, allow_single=False, rule=None):
        values = self.sequence(data, key, path, required=required, allow_single=allow_single)
        if values is None:
            return None
        for index, value in enumerate(values):
            item = f"{path}.{index}"
            if not isinstance(value, str) or not value.strip():
                self.add(item, "type", _("Each entry of %(key)s is text.") % {"key": path})
            elif rule:
                self.add_rule(item, rule(value))
        return values

    def url(self, data, key, path, *, required=False):
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.add(path, "required", _("%(key)s is required.") % {"key": path})
            return
        self.add_rule(path, url_problem(value))

    def choice(self, data, key, path, choices):
        value = data.get(key)
        if value is None or value == "":
            self.add(path, "required", _("%(key)s is required.") % {"key": path})
        elif value not in choices:
            self.add(
                path,
                "invalid_choice",
                _("%(value)s is not allowed for %(key)s; use one of: %(choices)s.")
                % {"value": str(value)[:60], "key": path, "choices": ", ".join(choices)},
            )


def validate_publiccode(data) -> list[Problem]:
    """Every problem of a publiccode.yml (parsed, or its text), each at its key path."""
    if isinstance(data, str | bytes | bytearray):
        data, problems = parse_publiccode(data)
        if problems:
            return problems
    if not isinstance(data, dict):
        return [
            Problem(
                "",
                "not_a_mapping",
                _(
                    "A publiccode.yml is a mapping of keys (publiccodeYmlVersion, name, url, ...), "
                    "not a single value or a list."
                ),
            )
        ]
    check = _Checker()
    _check_top(check, data)
    _check_description(check, data)
    _check_legal(check, data)
    _check_maintenance(check, data)
    _check_localisation(check, data)
    _check_dependencies(check, data)
    return check.problems


def _check_top(check, data):
    version = check.text(
        data, "publiccodeYmlVersion", "publiccodeYmlVersion", required=True, numbers=True
    )
    if version and not SUPPORTED_VERSION.match(version.strip()):
        check.add(
            "publiccodeYmlVersion",
            "unsupported_version",
            _(
                "publiccodeYmlVersion %(version)s is not supported; use 0.2 to 0.7 (this site "
                "writes %(ours)s)."
            )
            % {"version": version, "ours": PUBLICCODE_YML_VERSION},
        )
    check.text(data, "name", "name", required=True, max_length=NAME_MAX)
    check.text(data, "applicationSuite", "applicationSuite")
    check.url(data, "url", "url", required=True)
    check.url(data, "landingURL", "landingURL")
    check.url(data, "roadmap", "roadmap")
    check.strings(data, "isBasedOn", "isBasedOn", allow_single=True, rule=url_problem)
    check.text(data, "softwareVersion", "softwareVersion", numbers=True)
    if data.get("releaseDate") not in (None, ""):
        check.add_rule("releaseDate", date_problem(data["releaseDate"]))
    logo = check.text(data, "logo", "logo")
    if logo and not logo.lower().endswith(LOGO_EXTENSIONS):
        check.add("logo", "invalid_format", _("A logo is an SVG, SVGZ or PNG file."))
    check.strings(data, "platforms", "platforms", required=True, allow_single=True)
    check.strings(data, "categories", "categories", required=True, rule=category_problem)
    check.strings(data, "usedBy", "usedBy")
    check.choice(data, "developmentStatus", "developmentStatus", DevelopmentStatus.values)
    check.choice(data, "softwareType", "softwareType", SoftwareType.values)
    audience = check.mapping(data, "intendedAudience", "intendedAudience")
    if audience:
        for key in ("countries", "unsupportedCountries"):
            check.strings(
                audience,
                key,
                f"intendedAudience.{key}",
                rule=lambda v: (
                    None
                    if COUNTRY_CODE.match(v)
                    else ("invalid_country", _("A country is a two-letter ISO 3166-1 code."))
                ),
            )
        check.strings(audience, "scope", "intendedAudience.scope")


def _check_description(check, data):
    description = check.mapping(data, "description", "description", required=True)
    if description is None:
        return
    if not description:
        check.add("description", "required", _("Describe the software in at least one language."))
        return
    with_long, with_features = [], []
    for language, texts in description.items():
        path = f"description.{language}"
        if not isinstance(language, str) or not LANGUAGE_TAG.match(language):
            check.add(
                path,
                "invalid_language",
                _("%(language)s is not a language tag such as nl or en.")
                % {"language": str(language)[:20]},
            )
            continue
        if not isinstance(texts, dict):
            check.add(path, "type", _("%(key)s is a section of keys.") % {"key": path})
            continue
        short = texts.get("shortDescription")
        if short is None or short == "":
            check.add(
                f"{path}.shortDescription",
                "required",
                _("%(key)s is required.") % {"key": f"{path}.shortDescription"},
            )
        else:
            check.add_rule(f"{path}.shortDescription", short_description_problem(short))
        if texts.get("longDescription") not in (None, ""):
            with_long.append(language)
            check.add_rule(
                f"{path}.longDescription", long_description_problem(texts["longDescription"])
            )
        check.text(texts, "localisedName", f"{path}.localisedName")
        check.text(texts, "genericName", f"{path}.genericName", max_length=GENERIC_NAME_MAX)
        check.url(texts, "documentation", f"{path}.documentation")
        check.url(texts, "apiDocumentation", f"{path}.apiDocumentation")
        if texts.get("features") not in (None, []):
            with_features.append(language)
        check.strings(texts, "features", f"{path}.features")
        check.strings(texts, "screenshots", f"{path}.screenshots", rule=screenshot_problem)
        check.strings(texts, "videos", f"{path}.videos", rule=url_problem)
        check.strings(texts, "awards", f"{path}.awards")
    languages = [k for k in description if isinstance(k, str) and LANGUAGE_TAG.match(k)]
    if languages and not with_long:
        check.add(
            f"description.{languages[0]}.longDescription",
            "required",
            _("Give a long description (150 to 10,000 characters) in at least one language."),
        )
    if languages and not with_features:
        check.add(
            f"description.{languages[0]}.features",
            "required",
            _("List the software's features in at least one language."),
        )


def _check_legal(check, data):
    legal = check.mapping(data, "legal", "legal", required=True)
    if legal is None:
        return
    if legal.get("license") in (None, ""):
        check.add(
            "legal.license",
            "required",
            _("legal.license is required: an SPDX expression such as EUPL-1.2."),
        )
    else:
        check.add_rule("legal.license", licence_problem(legal["license"]))
    for key in ("mainCopyrightOwner", "repoOwner", "authorsFile"):
        check.text(legal, key, f"legal.{key}")


def _check_maintenance(check, data):
    maintenance = check.mapping(data, "maintenance", "maintenance", required=True)
    if maintenance is None:
        return
    for subpath, code, message in maintenance_problems(
        maintenance.get("type"), maintenance.get("contractors"), maintenance.get("contacts")
    ):
        check.add(f"maintenance.{subpath}", code, message)
    # Lists given though the type does not ask for them are still checked for shape.
    kind = maintenance.get("type")
    if kind != MaintenanceType.CONTRACT and maintenance.get("contractors") not in (None, []):
        _check_listed(check, maintenance, "contractors", contractor_problems)
    if kind not in (MaintenanceType.INTERNAL, MaintenanceType.COMMUNITY) and maintenance.get(
        "contacts"
    ) not in (None, []):
        _check_listed(check, maintenance, "contacts", contact_problems)


def _check_listed(check, maintenance, key, rule):
    values = maintenance.get(key)
    if not isinstance(values, list):
        check.add(f"maintenance.{key}", "type", _("%(key)s is a list.") % {"key": key})
        return
    for index, value in enumerate(values):
        for subpath, code, message in rule(value):
            check.add(_join("maintenance", key, index, subpath), code, message)


def _check_localisation(check, data):
    localisation = check.mapping(data, "localisation", "localisation", required=True)
    if localisation is None:
        return
    ready = localisation.get("localisationReady")
    if ready is None:
        check.add(
            "localisation.localisationReady",
            "required",
            _("localisation.localisationReady is required: true or false."),
        )
    elif not isinstance(ready, bool):
        check.add(
            "localisation.localisationReady",
            "type",
            _("localisation.localisationReady is true or false."),
        )
    check.strings(
        localisation,
        "availableLanguages",
        "localisation.availableLanguages",
        required=True,
        rule=lambda v: (
            None
            if LANGUAGE_TAG.match(v)
            else (
                "invalid_language",
                _("%(value)s is not a language tag such as nl or en.") % {"value": v[:20]},
            )
        ),
    )


def _check_dependencies(check, data):
    depends_on = check.mapping(data, "dependsOn", "dependsOn")
    if not depends_on:
        return
    for kind in DEPENDENCY_KINDS:
        path = f"dependsOn.{kind}"
        values = check.sequence(depends_on, kind, path)
        for index, dependency in enumerate(values or []):
            item = f"{path}.{index}"
            if not isinstance(dependency, dict):
                check.add(item, "type", _("A dependency has at least a name."))
                continue
            check.text(dependency, "name", f"{item}.name", required=True)
            for key in ("versionMin", "versionMax", "version"):
                check.text(dependency, key, f"{item}.{key}", numbers=True)
            if dependency.get("optional") is not None and not isinstance(
                dependency["optional"], bool
            ):
                check.add(f"{item}.optional", "type", _("optional is true or false."))


# --- Export ----------------------------------------------------------------------------------
def _described_languages(solution) -> list[str]:
    return [
        language
        for language in LANGUAGES
        if getattr(solution, f"short_description_{language}")
        or getattr(solution, f"long_description_{language}")
        or getattr(solution, f"features_{language}")
    ]


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
    release = newest_release(solution)
    if release is not None:
        data["softwareVersion"] = release.version
        data["releaseDate"] = timezone.localdate(release.published_at).isoformat()
    data["platforms"] = list(solution.platforms or ["web"])
    categories = sorted(c.category for c in solution.categories.all())
    if categories:
        data["categories"] = categories
    used_by = _used_by(solution)
    if used_by:
        data["usedBy"] = used_by
    data["developmentStatus"] = str(solution.development_status)
    data["softwareType"] = str(solution.software_type)
    languages = _described_languages(solution)
    description = {}
    for language in languages:
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
        description[language] = texts
    if description:
        data["description"] = description
    legal = {"license": solution.licence}
    if solution.developed_by_id:
        legal["mainCopyrightOwner"] = solution.developed_by.name
    legal["repoOwner"] = solution.cooperative.name
    data["legal"] = legal
    maintenance = {"type": str(solution.maintenance_type)}
    if solution.maintenance_type == MaintenanceType.CONTRACT:
        maintenance["contractors"] = [
            _present(c, ("name", "until", "email", "website"))
            for c in solution.maintenance_contractors or []
        ]
    if solution.maintenance_type in (MaintenanceType.INTERNAL, MaintenanceType.COMMUNITY):
        maintenance["contacts"] = [
            _present(c, ("name", "email", "phone", "affiliation"))
            for c in solution.maintenance_contacts or []
        ]
    data["maintenance"] = maintenance
    available = languages or ["nl"]
    data["localisation"] = {
        "localisationReady": len(available) > 1,
        "availableLanguages": available,
    }
    depends_on = {}
    for dependency in solution.dependencies or []:
        if not isinstance(dependency, dict) or not dependency.get("name"):
            continue
        kind = dependency.get("kind") if dependency.get("kind") in DEPENDENCY_KINDS else "open"
        entry = {"name": dependency["name"]}
        for ours, theirs in (
            ("version_min", "versionMin"),
            ("version_max", "versionMax"),
            ("version", "version"),
        ):
            if dependency.get(ours) not in (None, ""):
                entry[theirs] = str(dependency[ours])
        if isinstance(dependency.get("optional"), bool):
            entry["optional"] = dependency["optional"]
        depends_on.setdefault(kind, []).append(entry)
    if depends_on:
        data["dependsOn"] = {
            kind: depends_on[kind] for kind in DEPENDENCY_KINDS if kind in depends_on
        }
    return data


def _present(entry, keys) -> dict:
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


class _Dumper(yaml.SafeDumper):
    """Block style, long texts as literal blocks, keys in the order given."""


def _represent_text(dumper, value):
    value = str(value)  # choices are str subclasses
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_multi_representer(str, _represent_text)


def dump_publiccode(data: dict) -> str:
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    header = "# publiccode.yml, written by Deelbaar. The standard: https://yml.publiccode.tools/\n"
    return header + body


def publiccode_yaml(solution) -> str:
    """The text of the solution's publiccode.yml."""
    return dump_publiccode(export_publiccode(solution))


# --- Import ----------------------------------------------------------------------------------
def _language_key(description: dict, language: str):
    for key in description:
        if isinstance(key, str) and (
            key.lower() == language or key.lower().startswith(f"{language}-")
        ):
            return key
    return None


def solution_fields_from_text(text) -> tuple[dict, list[Problem]]:
    """A publiccode.yml's text as a solution's fields (see read_solution_fields), or the
    problems that stop it, each with its key path: parsed, validated, then fitted."""
    data, problems = parse_publiccode(text)
    if not problems:
        problems = validate_publiccode(data)
    if problems:
        return {}, problems
    return read_solution_fields(data)


def read_solution_fields(data: dict) -> tuple[dict, list[Problem]]:
    """A valid file's content as a solution's fields (plus `categories` and
    `developed_by_name`), and the problems of fitting it into a solution."""
    problems = []
    description = data.get("description") or {}
    keys = {language: _language_key(description, language) for language in LANGUAGES}
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
    for key in ("url", "landingURL"):
        if isinstance(data.get(key), str) and len(data[key]) > URL_MAX:
            problems.append(
                Problem(
                    key,
                    "too_long",
                    _("A web address has at most %(max)s characters.") % {"max": URL_MAX},
                )
            )
    platforms = data.get("platforms")
    fields = {
        "name": data["name"].strip(),
        "repository_url": data["url"],
        "landing_url": data.get("landingURL") or "",
        "platforms": [platforms] if isinstance(platforms, str) else list(platforms),
        "development_status": data["developmentStatus"],
        "software_type": data["softwareType"],
        "categories": list(dict.fromkeys(data["categories"])),
        "licence": normalise_licence(data["legal"]["license"]),
        "developed_by_name": (data["legal"].get("mainCopyrightOwner") or "").strip(),
    }
    documentation, screenshots = "", []
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
    if isinstance(documentation, str) and len(documentation) > URL_MAX:
        problems.append(Problem("description", "too_long", _("The documentation URL is too long.")))
    maintenance = data["maintenance"]
    kind = maintenance["type"]
    fields["maintenance_type"] = kind
    contractors, contacts = [], []
    if kind == MaintenanceType.CONTRACT:
        contractors = [
            _present(c, ("name", "until", "email", "website")) for c in maintenance["contractors"]
        ]
    if kind in (MaintenanceType.INTERNAL, MaintenanceType.COMMUNITY):
        contacts = [
            _present(c, ("name", "email", "phone", "affiliation")) for c in maintenance["contacts"]
        ]
    fields["maintenance_contractors"] = contractors
    fields["maintenance_contacts"] = contacts
    fields["maintenance_until"] = (
        min(date.fromisoformat(c["until"]) for c in contractors) if contractors else None
    )
    dependencies = []
    for kind_name in DEPENDENCY_KINDS:
        for dependency in (data.get("dependsOn") or {}).get(kind_name) or []:
            entry = {"name": dependency["name"], "kind": kind_name}
            for theirs, ours in (
                ("versionMin", "version_min"),
                ("versionMax", "version_max"),
                ("version", "version"),
            ):
                if dependency.get(theirs) not in (None, ""):
                    entry[ours] = str(dependency[theirs])
            if isinstance(dependency.get("optional"), bool):
                entry["optional"] = dependency["optional"]
            dependencies.append(entry)
    fields["dependencies"] = dependencies
    return fields, problems

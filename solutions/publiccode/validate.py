"""Checking a publiccode.yml as the standard and its reference parser (italia/
publiccode-parser-go) read it: the same verdict and the same key paths, with errors (the file
is invalid) told apart from warnings (a deprecated key, an older version: the file is valid).

- `check_publiccode(data)` → every `Problem`, errors and warnings, each at its key path in the
  reference's style ("maintenance.contractors[0].until", "" for the file as a whole). `data`
  is the parsed file or its text. With `report_skipped=True` the checks that need the network
  or the repository's files (reachability of URLs, oEmbed videos, that logos and screenshots
  are images, that the authors file exists) are listed as warnings saying they were skipped:
  Only with `online=True` (the command line's `--online`) are web addresses asked whether they
  answer; oEmbed, images and files are never checked here.
- `validate_publiccode(data)` → the errors only.

Where the standard's text and the reference disagree this follows the standard (README,
"publiccode.yml"): a single string for `platforms`; `longDescription` and `features` required
in at least one language, not in each; version 0.6 accepted. Where the reference's decoder
reports a value of the wrong type inside a list without the item's index, or a mapping given
for a list at its first key, the paths here do the same, so they agree.
"""

import re

from django.utils.translation import gettext as _

from solutions.models import DevelopmentStatus, MaintenanceType, SoftwareType
from solutions.publiccode.parse import NOT_A_MAPPING, key_path, parse_publiccode
from solutions.publiccode.rules import (
    ERROR,
    WARNING,
    Problem,
    category_problem,
    date_problem,
    email_problem,
    licence_problem,
    long_description_problem,
    repository_url_problem,
    screenshot_problem,
    short_description_problem,
    text_length,
    uri_problem,
    url_problem,
)
from solutions.vocabularies import (
    COUNTRIES,
    CURRENT_VERSION,
    LANGUAGES_2,
    LANGUAGES_3,
    LATEST_VERSIONS,
    SCOPES,
    SCRIPTS,
    SUPPORTS_ALIASES,
    VERSIONS,
)

GENERIC_NAME_MAX = 35
LOGO_EXTENSIONS = (".svg", ".svgz", ".png")
IT_EXTENSION_VERSIONS = ("0.2", "1.0")

TOP_KEYS = (
    "publiccodeYmlVersion",
    "name",
    "applicationSuite",
    "url",
    "landingURL",
    "isBasedOn",
    "softwareVersion",
    "releaseDate",
    "logo",
    "monochromeLogo",
    "organisation",
    "inputTypes",
    "outputTypes",
    "platforms",
    "categories",
    "usedBy",
    "fundedBy",
    "roadmap",
    "developmentStatus",
    "softwareType",
    "intendedAudience",
    "description",
    "legal",
    "maintenance",
    "localisation",
    "dependsOn",
    "supports",
    "IT",
    "it",
)
DESCRIPTION_KEYS = (
    "localisedName",
    "genericName",
    "shortDescription",
    "longDescription",
    "documentation",
    "apiDocumentation",
    "features",
    "screenshots",
    "videos",
    "awards",
)
DEPENDENCY_SECTIONS = ("open", "proprietary", "hardware", "software")
DEPENDENCY_KEYS = (
    "name",
    "versionMin",
    "versionMax",
    "version",
    "optional",
    "source",
    "license",
    "specifications",
)

# RFC 6838's restricted names, type/subtype.
_MIME_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
MIME_TYPE = re.compile(rf"^{_MIME_NAME}/{_MIME_NAME}$")
# RFC 5646 (BCP 47), the shape of a tag; the subtags are then looked up in the registries.
LANGUAGE_TAG = re.compile(
    r"^(?P<language>[a-z]{2,3})"
    r"(?:-(?P<extlang>[a-z]{3}(?:-[a-z]{3}){0,2}))?"
    r"(?:-(?P<script>[a-z]{4}))?"
    r"(?:-(?P<region>[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z0-9]{5,8}|\d[a-z0-9]{3}))*"
    r"(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*"
    r"(?:-x(?:-[a-z0-9]{1,8})+)?$",
    re.IGNORECASE,
)


def is_language_tag(value) -> bool:
    """A well-formed BCP 47 tag whose language, script and region are registered codes
    (`eng` and `en-GB` are, `xxx` and the POSIX `hr_HR` are not)."""
    if not isinstance(value, str):
        return False
    match = LANGUAGE_TAG.match(value)
    if not match:
        return False
    language = match["language"].lower()
    if language not in (LANGUAGES_2 if len(language) == 2 else LANGUAGES_3):
        return False
    if match["script"] and match["script"].lower() not in SCRIPTS:
        return False
    region = match["region"]
    return not (region and not region.isdigit() and region.upper() not in COUNTRIES)


def _strip_indexes(path: str) -> str:
    return re.sub(r"\[\d+\]", "", path)


class _Check:
    def __init__(self, *, report_skipped: bool, online: bool = False):
        self.problems: list[Problem] = []
        self.report_skipped = report_skipped
        self.online = online

    # --- Recording ----------------------------------------------------------------------------
    def error(self, path, code, message):
        self.problems.append(Problem(path, code, str(message), ERROR))

    def warning(self, path, code, message):
        self.problems.append(Problem(path, code, str(message), WARNING))

    def rule(self, path, problem):
        if problem:
            self.error(path, *problem)

    def skipped(self, path, what):
        if self.report_skipped:
            self.warning(
                path,
                "not_checked",
                _("Not checked here: %(what)s (that needs the network or the repository).")
                % {"what": what},
            )

    def wrong_type(self, path, value, expected):
        # The reference's decoder reports a mapping given for a list or a text at its first
        # key, and a wrong type inside a list without the item's index.
        if isinstance(value, dict) and value:
            path = key_path(path, str(next(iter(value))))
        self.error(
            _strip_indexes(path),
            "type",
            _("Wrong type for this field: %(expected)s.") % {"expected": expected},
        )

    def required(self, path, message=None):
        self.error(path, "required", message or _("%(key)s is required.") % {"key": path})

    def deprecated(self, path, instead=None):
        if instead:
            message = _(
                "This key is deprecated and will be removed in the future; use %(instead)s."
            ) % {"instead": instead}
        else:
            message = _("This key is deprecated and will be removed in the future.")
        self.warning(path, "deprecated", message)

    # --- Shapes -------------------------------------------------------------------------------
    def unknown_keys(self, mapping, path, allowed):
        for key in mapping:
            if key not in allowed:
                self.error(
                    key_path(path, str(key)),
                    "unknown_key",
                    _("%(key)s is not a key of publiccode.yml here.") % {"key": str(key)[:60]},
                )

    def text(self, mapping, key, path, *, required=False):
        """The text at `key`, or None (recording why, when it is missing or not text)."""
        if key not in mapping or mapping[key] is None:
            if required:
                self.required(path)
            return None
        value = mapping[key]
        if not isinstance(value, str):
            self.wrong_type(path, value, _("text"))
            return None
        if required and not value.strip():
            self.required(path)
            return None
        return value

    def mapping(self, data, key, path, *, required=False):
        value = data.get(key)
        if value is None:
            if required:
                self.required(path, _("The section %(key)s is required.") % {"key": path})
            return None
        if not isinstance(value, dict):
            self.wrong_type(path, value, _("a section of keys"))
            return None
        return value

    def sequence(self, data, key, path, *, allow_single=False):
        """The list at `key`, or None when absent or not a list (recorded); a single text
        counts as a list of one where the standard allows it."""
        value = data.get(key)
        if value is None:
            return None
        if allow_single and isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            self.wrong_type(path, value, _("a list"))
            return None
        return value

    def strings(self, data, key, path, *, allow_single=False, rule=None):
        values = self.sequence(data, key, path, allow_single=allow_single)
        if values is None:
            return None
        for index, value in enumerate(values):
            item = key_path(path, index)
            if not isinstance(value, str):
                self.wrong_type(item, value, _("text"))
            elif rule:
                self.rule(item, rule(value))
        return values

    def reachable(self, path, url):
        """Online, that `url` answers; offline, a note that this was not checked."""
        if not self.online:
            self.skipped(path, _("whether the address can be reached"))
            return
        from solutions.publiccode.online import unreachable

        if why := unreachable(url):
            self.error(path, "unreachable", why)

    def http_url(self, mapping, key, path):
        value = self.text(mapping, key, path)
        if value is not None:
            problem = url_problem(value)
            self.rule(path, problem)
            if not problem:
                self.reachable(path, value)

    def boolean(self, mapping, key, path, *, required=False):
        value = mapping.get(key)
        if value is None:
            if required:
                self.required(path, _("%(key)s is required: true or false.") % {"key": path})
            return
        if not isinstance(value, bool):
            self.wrong_type(path, value, _("true or false (yes and no are text in YAML 1.2)"))

    def choice(self, mapping, key, path, choices):
        value = self.text(mapping, key, path, required=True)
        if value is not None and value not in choices:
            self.error(
                path,
                "invalid_choice",
                _("%(value)s is not allowed for %(key)s; use one of: %(choices)s.")
                % {"value": value[:60], "key": path, "choices": ", ".join(choices)},
            )


def check_publiccode(data, *, report_skipped: bool = False, online: bool = False) -> list[Problem]:
    """Every problem of a publiccode.yml (parsed, or its text), errors and warnings, each at
    its key path. `online` also asks every web address whether it answers (for the command
    line only: see `online`)."""
    if isinstance(data, str | bytes | bytearray):
        data, problems = parse_publiccode(data)
        if problems:
            return problems
    if not isinstance(data, dict):
        return [Problem("", "not_a_mapping", str(NOT_A_MAPPING))]
    check = _Check(report_skipped=report_skipped, online=online)
    check.unknown_keys(data, "", TOP_KEYS)
    _check_version(check, data)
    _check_top(check, data)
    _check_organisations(check, data)
    _check_audience(check, data)
    _check_description(check, data)
    _check_legal(check, data)
    _check_maintenance(check, data)
    _check_localisation(check, data)
    _check_dependencies(check, data)
    _check_supports(check, data)
    _check_country_sections(check, data)
    return check.problems


def validate_publiccode(data) -> list[Problem]:
    """The errors of a publiccode.yml (parsed, or its text): none means valid."""
    return [p for p in check_publiccode(data) if p.is_error]


def _check_version(check, data):
    version = data.get("publiccodeYmlVersion")
    if version is None or version == "":
        check.required("publiccodeYmlVersion")
        return
    if not isinstance(version, str):
        # An unquoted 0.4 is a number in YAML: the standard's type is a string.
        check.wrong_type("publiccodeYmlVersion", version, _('text, such as "0.7.0"'))
        return
    if version not in VERSIONS:
        check.error(
            "publiccodeYmlVersion",
            "unsupported_version",
            _("Unsupported version %(version)s; the versions read are: %(versions)s.")
            % {"version": version[:20], "versions": ", ".join(VERSIONS)},
        )
    elif version not in LATEST_VERSIONS:
        check.warning(
            "publiccodeYmlVersion",
            "old_version",
            _("Version %(version)s is not the latest; use %(latest)s.")
            % {"version": version, "latest": CURRENT_VERSION},
        )


def _check_top(check, data):
    check.text(data, "name", "name", required=True)
    check.text(data, "applicationSuite", "applicationSuite")
    url = check.text(data, "url", "url", required=True)
    if url is not None:
        problem = repository_url_problem(url)
        check.rule("url", problem)
        if not problem and check.online and url.lower().startswith(("https://", "http://")):
            check.reachable("url", url)
        elif not problem:
            check.skipped("url", _("whether it is a reachable code repository"))
    check.http_url(data, "landingURL", "landingURL")
    check.http_url(data, "roadmap", "roadmap")
    check.strings(data, "isBasedOn", "isBasedOn", allow_single=True, rule=repository_url_problem)
    check.text(data, "softwareVersion", "softwareVersion")
    if "releaseDate" in data:
        value = data["releaseDate"]
        if value is not None and not isinstance(value, str):
            check.wrong_type("releaseDate", value, _("a date written as YYYY-MM-DD"))
        elif value is not None:
            # An empty releaseDate is no date: the reference refuses it too.
            check.rule("releaseDate", date_problem(value))
    _check_logo(check, data, "logo")
    if "monochromeLogo" in data:
        check.deprecated("monochromeLogo", "logo")
        _check_logo(check, data, "monochromeLogo")
    for key in ("inputTypes", "outputTypes"):
        if key in data:
            check.deprecated(key)
            check.strings(
                data,
                key,
                key,
                rule=lambda v: (
                    None
                    if MIME_TYPE.match(v)
                    else (
                        "invalid_mime_type",
                        _("%(value)s is not a MIME type such as text/plain.") % {"value": v[:60]},
                    )
                ),
            )
    check.strings(data, "platforms", "platforms", allow_single=True)
    if data.get("platforms") in (None, "", []):
        check.error("platforms", "required", _("platforms needs at least one entry, such as web."))
    check.strings(data, "categories", "categories", rule=category_problem)
    check.strings(data, "usedBy", "usedBy")
    check.choice(data, "developmentStatus", "developmentStatus", DevelopmentStatus.values)
    check.choice(data, "softwareType", "softwareType", SoftwareType.values)


def _check_logo(check, data, key):
    value = check.text(data, key, key)
    if not value:
        return
    lowered = value.lower()
    if lowered.startswith("file:"):
        check.error(
            key,
            "invalid_path",
            _(
                "A file:// URL is not allowed: give a path relative to the repository's root "
                "or an http(s) URL."
            ),
        )
    elif value.startswith("/"):
        check.error(
            key,
            "invalid_path",
            _(
                "An absolute path is not allowed: give a path relative to the repository's root "
                "or an http(s) URL."
            ),
        )
    elif not lowered.split("?")[0].endswith(LOGO_EXTENSIONS):
        check.error(key, "invalid_format", _("A logo is an SVG, SVGZ or PNG file."))
    else:
        check.skipped(key, _("that the file exists and is an image"))


def _check_organisation(check, organisation, path, *, name_required):
    check.unknown_keys(organisation, path, ("name", "uri"))
    check.text(organisation, "name", f"{path}.name", required=name_required)
    uri = check.text(organisation, "uri", f"{path}.uri", required=True)
    if uri is not None:
        check.rule(f"{path}.uri", uri_problem(uri))


def _check_organisations(check, data):
    organisation = check.mapping(data, "organisation", "organisation")
    if organisation is not None:
        _check_organisation(check, organisation, "organisation", name_required=False)
    funders = check.sequence(data, "fundedBy", "fundedBy")
    for index, funder in enumerate(funders or []):
        path = key_path("fundedBy", index)
        if not isinstance(funder, dict):
            check.wrong_type(path, funder, _("an organisation with a uri and a name"))
            continue
        # The reference requires the uri and not the name, as the standard does for
        # `organisation` (its older "Organisation" format says the opposite).
        _check_organisation(check, funder, path, name_required=False)


def _check_audience(check, data):
    audience = check.mapping(data, "intendedAudience", "intendedAudience")
    if audience is None:
        return
    check.unknown_keys(audience, "intendedAudience", ("scope", "countries", "unsupportedCountries"))
    check.strings(
        audience,
        "scope",
        "intendedAudience.scope",
        rule=lambda v: (
            None
            if v in SCOPES
            else (
                "unknown_scope",
                _(
                    "%(value)s is not a scope of publiccode.yml's list (such as government or "
                    "local-authorities)."
                )
                % {"value": v[:60]},
            )
        ),
    )
    for key in ("countries", "unsupportedCountries"):
        path = f"intendedAudience.{key}"
        values = check.sequence(audience, key, path)
        for index, value in enumerate(values or []):
            item = key_path(path, index)
            if not isinstance(value, str):
                check.wrong_type(item, value, _("text"))
            elif value.isupper() and value in COUNTRIES:
                continue
            elif value.islower() and value.upper() in COUNTRIES:
                check.warning(
                    item,
                    "deprecated",
                    _("Lower-case country codes are deprecated; write %(code)s.")
                    % {"code": value.upper()},
                )
            else:
                check.error(
                    item,
                    "invalid_country",
                    _("%(value)s is not an ISO 3166-1 alpha-2 country code such as NL.")
                    % {"value": value[:20]},
                )


def _check_description(check, data):
    description = check.mapping(data, "description", "description", required=True)
    if description is None:
        return
    if not description:
        check.required("description", _("Describe the software in at least one language."))
        return
    with_long, with_features, empty_features = [], [], []
    for language, texts in description.items():
        if not is_language_tag(language):
            check.error(
                "description",
                "invalid_language",
                _("%(language)s is not a BCP 47 language tag such as nl or en-GB.")
                % {"language": str(language)[:20]},
            )
            continue
        path = f"description.{language}"
        if not isinstance(texts, dict):
            check.wrong_type(path, texts, _("a section of keys"))
            continue
        long, features = _check_language(check, texts, path)
        if long:
            with_long.append(language)
        if features:
            with_features.append(language)
        elif features == []:
            empty_features.append(language)
    languages = [k for k, v in description.items() if is_language_tag(k) and isinstance(v, dict)]
    # The standard asks for them in at least one language (the reference: in every one).
    if languages and not with_long:
        check.required(
            f"description.{languages[0]}.longDescription",
            _("Give a long description (150 to 10,000 characters) in at least one language."),
        )
    if languages and not with_features and not empty_features:
        check.required(
            f"description.{languages[0]}.features",
            _("List the software's features in at least one language."),
        )


def _check_language(check, texts, path):
    """One language's section of the description; its long description and its features, for
    the rules that ask for them in at least one language."""
    check.unknown_keys(texts, path, DESCRIPTION_KEYS)
    short = check.text(texts, "shortDescription", f"{path}.shortDescription", required=True)
    if short is not None:
        check.rule(f"{path}.shortDescription", short_description_problem(short))
    long = check.text(texts, "longDescription", f"{path}.longDescription")
    if long:
        check.rule(f"{path}.longDescription", long_description_problem(long))
    check.text(texts, "localisedName", f"{path}.localisedName")
    if "genericName" in texts:
        _check_generic_name(check, texts, path)
    check.http_url(texts, "documentation", f"{path}.documentation")
    check.http_url(texts, "apiDocumentation", f"{path}.apiDocumentation")
    features = check.strings(texts, "features", f"{path}.features")
    if features == []:
        check.error(
            f"{path}.features",
            "required",
            _("features needs at least one entry."),
        )
    _check_media(check, texts, path)
    check.strings(texts, "awards", f"{path}.awards")
    return long, features


def _check_generic_name(check, texts, path):
    generic = check.text(texts, "genericName", f"{path}.genericName")
    if generic is not None and text_length(generic) > GENERIC_NAME_MAX:
        check.error(
            f"{path}.genericName",
            "too_long",
            _("genericName has at most %(max)s characters.") % {"max": GENERIC_NAME_MAX},
        )
    check.deprecated(f"{path}.genericName")


def _check_media(check, texts, path):
    """Screenshots and videos: their form is checked; what needs the network is skipped."""
    screenshots = check.strings(
        texts, "screenshots", f"{path}.screenshots", rule=screenshot_problem
    )
    for index in range(len(screenshots or [])):
        check.skipped(key_path(f"{path}.screenshots", index), _("that the image exists"))
    videos = check.strings(texts, "videos", f"{path}.videos", rule=url_problem)
    # oEmbed needs the providers' list and the network: skipped, online or not.
    for index in range(len(videos or [])):
        check.skipped(key_path(f"{path}.videos", index), _("that the video's host supports oEmbed"))


def _check_legal(check, data):
    legal = check.mapping(data, "legal", "legal")
    if legal is None:
        if data.get("legal") is None:
            check.required("legal.license", _("legal.license is required: an SPDX expression."))
        return
    check.unknown_keys(
        legal, "legal", ("license", "mainCopyrightOwner", "repoOwner", "authorsFile")
    )
    licence = check.text(legal, "license", "legal.license", required=True)
    if licence is not None:
        check.rule("legal.license", licence_problem(licence))
    check.text(legal, "mainCopyrightOwner", "legal.mainCopyrightOwner")
    if "repoOwner" in legal:
        check.text(legal, "repoOwner", "legal.repoOwner")
        check.deprecated("legal.repoOwner", "organisation.name")
    if "authorsFile" in legal:
        check.text(legal, "authorsFile", "legal.authorsFile")
        check.deprecated("legal.authorsFile")
        check.skipped("legal.authorsFile", _("that the file exists"))


def _check_maintenance(check, data):
    maintenance = check.mapping(data, "maintenance", "maintenance")
    if maintenance is None:
        check.required("maintenance.type")
        return
    check.unknown_keys(maintenance, "maintenance", ("type", "contractors", "contacts"))
    kind = maintenance.get("type")
    check.choice(maintenance, "type", "maintenance.type", MaintenanceType.values)
    contractors = check.sequence(maintenance, "contractors", "maintenance.contractors")
    contacts = check.sequence(maintenance, "contacts", "maintenance.contacts")
    if kind == MaintenanceType.CONTRACT and not contractors:
        check.required(
            "maintenance.contractors",
            _("Maintenance under contract names its contractors, each with an end date."),
        )
    if kind in MaintenanceType.values and kind != MaintenanceType.CONTRACT and contractors:
        # The standard: "mandatory if maintenance/type is contract; must not be present
        # otherwise".
        check.error(
            "maintenance.contractors",
            "not_allowed",
            _("Contractors are named only when maintenance.type is contract."),
        )
    if kind in (MaintenanceType.INTERNAL, MaintenanceType.COMMUNITY) and not contacts:
        check.required(
            "maintenance.contacts",
            _("Internal and community maintenance names at least one contact person."),
        )
    for index, contractor in enumerate(contractors or []):
        path = key_path("maintenance.contractors", index)
        if not isinstance(contractor, dict):
            check.wrong_type(path, contractor, _("a contractor with a name and an end date"))
            continue
        check.unknown_keys(contractor, path, ("name", "email", "website", "until"))
        check.text(contractor, "name", f"{path}.name", required=True)
        until = check.text(contractor, "until", f"{path}.until", required=True)
        if until is not None:
            check.rule(f"{path}.until", date_problem(until))
        email = check.text(contractor, "email", f"{path}.email")
        if email:
            check.rule(f"{path}.email", email_problem(email))
        check.http_url(contractor, "website", f"{path}.website")
    for index, contact in enumerate(contacts or []):
        path = key_path("maintenance.contacts", index)
        if not isinstance(contact, dict):
            check.wrong_type(path, contact, _("a contact with at least a name"))
            continue
        check.unknown_keys(contact, path, ("name", "email", "phone", "affiliation"))
        check.text(contact, "name", f"{path}.name", required=True)
        email = check.text(contact, "email", f"{path}.email")
        if email:
            check.rule(f"{path}.email", email_problem(email))
        check.text(contact, "phone", f"{path}.phone")
        check.text(contact, "affiliation", f"{path}.affiliation")


def _check_localisation(check, data):
    localisation = check.mapping(data, "localisation", "localisation")
    if localisation is None:
        localisation = {}
    else:
        check.unknown_keys(
            localisation, "localisation", ("localisationReady", "availableLanguages")
        )
    check.boolean(
        localisation, "localisationReady", "localisation.localisationReady", required=True
    )
    languages = check.sequence(
        localisation, "availableLanguages", "localisation.availableLanguages"
    )
    if "availableLanguages" not in localisation or localisation["availableLanguages"] is None:
        check.required("localisation.availableLanguages")
    elif languages == []:
        check.error(
            "localisation.availableLanguages",
            "required",
            _("availableLanguages needs at least one language."),
        )
    for index, language in enumerate(languages or []):
        path = key_path("localisation.availableLanguages", index)
        if not isinstance(language, str):
            check.wrong_type(path, language, _("text"))
        elif not is_language_tag(language):
            check.error(
                path,
                "invalid_language",
                _("%(value)s is not a BCP 47 language tag such as nl or en-GB.")
                % {"value": language[:20]},
            )


def _check_dependencies(check, data):
    depends_on = check.mapping(data, "dependsOn", "dependsOn")
    if not depends_on:
        return
    check.unknown_keys(depends_on, "dependsOn", DEPENDENCY_SECTIONS)
    for kind in DEPENDENCY_SECTIONS:
        path = f"dependsOn.{kind}"
        for index, dependency in enumerate(check.sequence(depends_on, kind, path) or []):
            item = key_path(path, index)
            if not isinstance(dependency, dict):
                check.wrong_type(item, dependency, _("a dependency with at least a name"))
                continue
            check.unknown_keys(dependency, item, DEPENDENCY_KEYS)
            check.text(dependency, "name", f"{item}.name", required=True)
            for key in DEPENDENCY_KEYS[1:]:
                if key == "optional":
                    check.boolean(dependency, key, f"{item}.{key}")
                else:
                    check.text(dependency, key, f"{item}.{key}")


def _check_supports(check, data):
    for index, entry in enumerate(check.sequence(data, "supports", "supports") or []):
        path = key_path("supports", index)
        if not isinstance(entry, dict):
            check.wrong_type(path, entry, _("an entry with an id"))
            continue
        check.unknown_keys(entry, path, ("id",))
        identifier = check.text(entry, "id", f"{path}.id", required=True)
        if identifier is None:
            continue
        if identifier.startswith("alias:"):
            if identifier[len("alias:") :] not in SUPPORTS_ALIASES:
                check.warning(
                    f"{path}.id",
                    "unknown_alias",
                    _("%(value)s is not an alias this site knows (%(known)s); check it.")
                    % {"value": identifier[:60], "known": ", ".join(SUPPORTS_ALIASES)},
                )
        else:
            check.rule(f"{path}.id", uri_problem(identifier))


def _check_country_sections(check, data):
    if "IT" in data and "it" in data:
        check.deprecated("it", "IT")
        check.error("it", "duplicate", _("The section IT is there already; remove it."))
        _check_italy(check, data["IT"], "IT")
    elif "it" in data:
        check.deprecated("it", "IT")
        _check_italy(check, data["it"], "it")
    elif "IT" in data:
        _check_italy(check, data["IT"], "IT")


def _check_italy(check, section, path):
    """The Italian extension: only its shape is checked here (the iPA codes are a registry
    of Italy's that this site does not carry)."""
    if section is None:
        return
    if not isinstance(section, dict):
        check.wrong_type(path, section, _("a section of keys"))
        return
    check.unknown_keys(
        section, path, ("countryExtensionVersion", "conforme", "riuso", "piattaforme")
    )
    version = check.text(section, "countryExtensionVersion", f"{path}.countryExtensionVersion")
    if version is not None and version not in IT_EXTENSION_VERSIONS:
        check.error(
            f"{path}.countryExtensionVersion",
            "invalid_choice",
            _("%(value)s is not allowed for %(key)s; use one of: %(choices)s.")
            % {
                "value": version[:20],
                "key": f"{path}.countryExtensionVersion",
                "choices": ", ".join(IT_EXTENSION_VERSIONS),
            },
        )
    conforme = check.mapping(section, "conforme", f"{path}.conforme")
    if "conforme" in section:
        check.deprecated(f"{path}.conforme")
    if conforme is not None:
        keys = ("lineeGuidaDesign", "modelloInteroperabilita", "misureMinimeSicurezza", "gdpr")
        check.unknown_keys(conforme, f"{path}.conforme", keys)
        for key in keys:
            check.boolean(conforme, key, f"{path}.conforme.{key}")
    riuso = check.mapping(section, "riuso", f"{path}.riuso")
    if riuso is not None:
        check.unknown_keys(riuso, f"{path}.riuso", ("codiceIPA",))
        check.text(riuso, "codiceIPA", f"{path}.riuso.codiceIPA")
    platforms = check.mapping(section, "piattaforme", f"{path}.piattaforme")
    if platforms is not None:
        keys = ("spid", "pagopa", "cie", "anpr", "io")
        check.unknown_keys(platforms, f"{path}.piattaforme", keys)
        for key in keys:
            check.boolean(platforms, key, f"{path}.piattaforme.{key}")

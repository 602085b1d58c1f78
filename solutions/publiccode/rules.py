"""The rules for single values of publiccode.yml, shared by the validator and the metadata
service, so a form, the API and an imported file are held to the same rules.

Each `*_problem(value)` returns `(code, message)` when the value breaks the rule, else None;
the `*_problems(...)` return `(subpath, code, message)` triples. Lengths are counted as the
standard counts them: in user-perceived characters (grapheme clusters), not code points.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from solutions.licences import LicenceError, normalise_licence
from solutions.models import (
    LONG_DESCRIPTION_MAX,
    LONG_DESCRIPTION_MIN,
    SHORT_DESCRIPTION_MAX,
    MaintenanceType,
)
from solutions.vocabularies import CATEGORIES

# A rule's answer: (code, message) when the value breaks it.
RuleProblem = tuple[str, str]

DEPENDENCY_KINDS = ("open", "proprietary", "hardware")
SCREENSHOT_EXTENSIONS = (".png", ".jpg", ".jpeg")
URL_MAX = 500
DATE_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ERROR = "error"
WARNING = "warning"

_http_url = URLValidator(schemes=["http", "https"])
_email = EmailValidator()


@dataclass(frozen=True)
class Problem:
    """One fault of a file: where (a key path such as "maintenance.contractors[0].until", ""
    for the file as a whole), what (a code), why (a message), and how bad: an "error" makes
    the file invalid, a "warning" (a deprecated key, an old version) does not."""

    path: str
    code: str
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_error(self) -> tuple:
        """(field, code, message) as DomainError's `problems` take it; the root is None."""
        return (self.path or None, self.code, self.message)

    def line(self) -> str:
        """The reference parser's style: `key.path: message` (warnings say so)."""
        where = self.path or "(file)"
        if self.severity == WARNING:
            label = _("warning")
            return f"{where}: {label}: {self.message}"
        return f"{where}: {self.message}"


# --- Length in user-perceived characters ------------------------------------------------------
_ZWJ = "\u200d"


def _extends(char: str) -> bool:
    """Whether `char` continues the grapheme cluster before it (combining marks, joiners,
    variation selectors, emoji modifiers): an approximation of UAX #29 that covers accents
    written as separate marks and emoji sequences."""
    if unicodedata.category(char) in ("Mn", "Me", "Mc"):
        return True
    code = ord(char)
    return (
        char == _ZWJ
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences
    )


def text_length(value: str) -> int:
    """The number of user-perceived characters (grapheme clusters) in `value`."""
    count = 0
    previous = ""
    regional = False
    for char in value:
        code = ord(char)
        is_regional = 0x1F1E6 <= code <= 0x1F1FF
        if previous and (
            _extends(char)
            or previous == _ZWJ
            or (previous == "\r" and char == "\n")
            or (is_regional and regional)
        ):
            regional = False
        else:
            count += 1
            regional = is_regional
        previous = char
    return count


# --- Rules ------------------------------------------------------------------------------------
def short_description_problem(value: Any) -> RuleProblem | None:
    """(code, message) when `value` is no valid short description, else None."""
    if not isinstance(value, str):
        return "type", _("A short description is text.")
    if not value.strip():
        return "required", _("Give a short description: one sentence of at most 150 characters.")
    length = text_length(value)
    if length > SHORT_DESCRIPTION_MAX:
        return "too_long", _(
            "A short description has at most %(max)s characters; this one has %(length)s."
        ) % {"max": SHORT_DESCRIPTION_MAX, "length": length}
    return None


def long_description_problem(value: Any) -> RuleProblem | None:
    """(code, message) when `value` is no valid long description (150 to 10,000), else None."""
    if not isinstance(value, str):
        return "type", _("A long description is text.")
    length = text_length(value.strip())
    if length < LONG_DESCRIPTION_MIN:
        return "too_short", _(
            "A long description has at least %(min)s characters; this one has %(length)s."
        ) % {"min": LONG_DESCRIPTION_MIN, "length": length}
    length = text_length(value)
    if length > LONG_DESCRIPTION_MAX:
        return "too_long", _(
            "A long description has at most %(max)s characters; this one has %(length)s."
        ) % {"max": LONG_DESCRIPTION_MAX, "length": length}
    return None


def url_problem(value: Any, *, max_length: int = URL_MAX) -> RuleProblem | None:
    """A web address: http or https, with a host."""
    if not isinstance(value, str) or not value.strip():
        return "type", _("Give a web address (URL), starting with https:// or http://.")
    if len(value) > max_length:
        return "too_long", _("A web address has at most %(max)s characters.") % {"max": max_length}
    try:
        _http_url(value)
    except ValidationError:
        return "invalid_url", _(
            "%(value)s is not a web address; give a full URL starting with https:// or http://."
        ) % {"value": value[:100]}
    return None


def repository_url_problem(value: Any) -> RuleProblem | None:
    """The `url` of a file: a URL of any scheme a version control client uses (https, git,
    ssh, svn, ...), with a host; not the scp-like `git@host:path`."""
    if not isinstance(value, str) or not value.strip():
        return "type", _("Give the repository's URL, such as https://github.com/org/repo.git.")
    if len(value) > URL_MAX:
        return "too_long", _("A web address has at most %(max)s characters.") % {"max": URL_MAX}
    parts = urlsplit(value)
    if not re.match(r"^[a-z][a-z0-9+.-]*$", parts.scheme) or not parts.netloc or " " in value:
        return "invalid_url", _(
            "%(value)s is not a URL; give the repository's full URL, such as "
            "https://github.com/org/repo.git."
        ) % {"value": value[:100]}
    return None


def uri_problem(value: Any) -> RuleProblem | None:
    """An identifier URI (RFC 3986): a scheme, then something (https://..., urn:...)."""
    if not isinstance(value, str) or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value):
        return "invalid_uri", _(
            "%(value)s is not a URI; give a web address or a URN such as urn:x-example:name."
        ) % {"value": str(value)[:100]}
    return None


def email_problem(value: Any) -> RuleProblem | None:
    if not isinstance(value, str):
        return "type", _("An e-mail address is text.")
    try:
        _email(value)
    except ValidationError:
        return "invalid_email", _("%(value)s is not an e-mail address.") % {"value": value[:100]}
    return None


def date_problem(value: Any) -> RuleProblem | None:
    """A date is a string in the form YYYY-MM-DD, and a real day."""
    if isinstance(value, str) and not value.strip():
        # Quoting nothing would read "(not )": say the date is missing instead.
        return "invalid_date", _("The date is empty: write it as YYYY-MM-DD, such as 2026-12-31.")
    if not isinstance(value, str) or not DATE_FORMAT.match(value):
        return "invalid_date", _(
            "Write the date as YYYY-MM-DD, such as 2026-12-31 (not %(value)s)."
        ) % {"value": str(value)[:40]}
    try:
        date.fromisoformat(value)
    except ValueError:
        return "invalid_date", _("%(value)s is not a day of the calendar.") % {"value": value}
    return None


def licence_problem(value: Any) -> RuleProblem | None:
    try:
        normalise_licence(value)
    except LicenceError as error:
        return error.code, error.message
    return None


def category_problem(value: Any) -> RuleProblem | None:
    if not isinstance(value, str) or value not in CATEGORIES:
        return "unknown_category", _(
            "%(value)s is not a category of publiccode.yml's list (such as grant-management "
            "or document-management)."
        ) % {"value": str(value)[:60]}
    return None


def screenshot_problem(value: Any) -> RuleProblem | None:
    if not isinstance(value, str) or not value.strip():
        return "type", _("A screenshot is the path or URL of an image.")
    if len(value) > URL_MAX:
        return "too_long", _("A screenshot's path has at most %(max)s characters.") % {
            "max": URL_MAX
        }
    if not value.lower().split("?")[0].endswith(SCREENSHOT_EXTENSIONS):
        return "invalid_format", _("A screenshot is a PNG or JPEG image (.png, .jpg).")
    return None


def contractor_problems(contractor: Any) -> list[tuple]:
    """(subpath, code, message) for one contractor: name and until (YYYY-MM-DD) are required."""
    if not isinstance(contractor, dict):
        return [("", "type", _("A contractor has a name and an end date ('until')."))]
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


def contact_problems(contact: Any) -> list[tuple]:
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


def maintenance_problems(kind: Any, contractors: Any, contacts: Any) -> list[tuple]:
    """(subpath, code, message) for publiccode.yml's maintenance rules: a contract needs
    contractors, each with an end date; internal and community maintenance need contacts
    (that only a contract has contractors is the validator's rule: a form switching away from a
    contract drops them instead). Subpaths are dotted ("contractors.0.until")."""
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
                    problems.append((join("contractors", index, subpath), code, message))
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
                    problems.append((join("contacts", index, subpath), code, message))
    return problems


def join(*parts: object) -> str:
    return ".".join(str(p) for p in parts if p not in (None, ""))

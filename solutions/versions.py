"""Semantic versions of releases (semver.org 2.0.0), parsed and compared with `semver`.

Precedence is semver's: numbers compare as numbers (1.10.0 after 1.9.0), a pre-release comes
before its final release (1.0.0-rc.1 before 1.0.0), build metadata does not count.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

import semver
from django.utils.translation import gettext as _

from deelbaar.errors import DomainError

if TYPE_CHECKING:
    from solutions.models import Release

MAX_LENGTH = 100
# The largest number a PositiveIntegerField holds on every database.
MAX_PART = 2_147_483_647


def parse(text, *, field: str = "version") -> semver.Version:
    """The version `text` names, or a DomainError naming `field` that says what is wrong."""
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise DomainError(
            _("Give a version, such as 1.4.0."),
            field=field,
            code="required",
        )
    if len(text) > MAX_LENGTH:
        raise DomainError(
            _("A version has at most %(max)s characters.") % {"max": MAX_LENGTH},
            field=field,
            code="max_length",
        )
    try:
        version = semver.Version.parse(text)
    except (ValueError, TypeError):
        raise DomainError(
            _(
                "%(version)s is not a semantic version: give MAJOR.MINOR.PATCH, such as 1.4.0, "
                "optionally with a pre-release such as 2.0.0-rc.1."
            )
            % {"version": text},
            field=field,
            code="invalid_version",
        ) from None
    if max(version.major, version.minor, version.patch) > MAX_PART:
        raise DomainError(
            _("Each number of a version is at most %(max)s.") % {"max": MAX_PART},
            field=field,
            code="invalid_version",
        )
    return version


def parts(version: semver.Version) -> dict:
    """The fields a Release keeps, so the newest sorts in the database."""
    return {
        "major": version.major,
        "minor": version.minor,
        "patch": version.patch,
        "prerelease": version.prerelease or "",
    }


def of_release(release) -> semver.Version:
    return semver.Version.parse(release.version)


def newest(releases: Iterable["Release"]) -> "Release | None":
    """The release of highest precedence among `releases`, or None."""
    listed = list(releases)
    if not listed:
        return None
    return max(listed, key=of_release)


def is_newer(version: semver.Version, than: semver.Version | None) -> bool:
    """Strictly greater by precedence (so 1.0.0+build.2 is not newer than 1.0.0+build.1)."""
    return than is None or version.compare(than) > 0

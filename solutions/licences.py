"""Licences as SPDX expressions ("EUPL-1.2", "MIT OR Apache-2.0"), checked against the SPDX
licence list that the `license-expression` package ships; publiccode.yml's `legal.license` and
a solution's `licence` follow the same rule."""

from functools import cache

from django.utils.translation import gettext as _
from license_expression import get_spdx_licensing

# A longer expression is no licence anyone means; it also bounds the parser's work.
MAX_LENGTH = 200


class LicenceError(ValueError):
    """The expression is not a valid SPDX expression; `message` says why, for a person."""

    def __init__(self, message: str, code: str = "invalid_licence"):
        super().__init__(message)
        self.message = message
        self.code = code


@cache
def _licensing():
    return get_spdx_licensing()


def normalise_licence(expression) -> str:
    """The expression in SPDX's own spelling ("eupl-1.2" → "EUPL-1.2"), or LicenceError."""
    if not isinstance(expression, str) or not expression.strip():
        raise LicenceError(
            _("Give the licence as an SPDX expression, such as EUPL-1.2."), code="required"
        )
    expression = expression.strip()
    if len(expression) > MAX_LENGTH:
        raise LicenceError(
            _("A licence expression has at most %(max)s characters.") % {"max": MAX_LENGTH},
            code="too_long",
        )
    try:
        info = _licensing().validate(expression, strict=True)
    except Exception:  # the package raises several kinds of error on malformed input
        info = None
    if info is None or info.errors or not info.normalized_expression:
        unknown = [s for s in (info.invalid_symbols if info else []) if s and s.strip("()")]
        if unknown:
            message = _(
                "%(expression)s is not a valid SPDX licence expression: %(symbols)s is not on "
                "the SPDX licence list (for example EUPL-1.2, MIT or AGPL-3.0-or-later)."
            ) % {"expression": expression, "symbols": ", ".join(unknown)}
        else:
            message = _(
                "%(expression)s is not a valid SPDX licence expression; combine licences with "
                "AND, OR and WITH, as in 'MIT OR Apache-2.0'."
            ) % {"expression": expression}
        raise LicenceError(message)
    return info.normalized_expression

"""What a request may carry, decided once for the pages and the API.

- Text: PostgreSQL's text cannot hold the NUL character, and neither database can store a lone
  surrogate (JSON's "\\ud800" decodes to one; it has no UTF-8 form). Either, looked up or stored,
  was a 500. `unstorable()` finds them; the middleware (query parameters, form bodies, the path)
  and the API's JSON parser (bodies) refuse them with 400 naming the parameter or field.
- Nesting: JSON nested deeper than `MAX_JSON_DEPTH` is refused before Python's recursion limit
  is reached (a RecursionError was a 500 on every JSON endpoint).
- Integers: every integer column is at most 64 bits, so a JSON number outside `INTEGER_RANGE`
  can mean nothing and is refused where it is parsed; SQLite could not even compare with one.
- Pages: a page number is a whole number from 1 to `MAX_PAGE` (`page_number()`), for every list.
"""

import json
import re

from django.utils.translation import gettext as _

# Deeper than any input of ours (a publiccode.yml's deepest key is four levels down) and far
# below Python's recursion limit of 1000, which the JSON decoder and DRF's serializers share.
MAX_JSON_DEPTH = 32

# bigint, the widest integer column on either database.
INTEGER_RANGE = (-(2**63), 2**63 - 1)

# With at most 100 to a page, the offset of the last page stays far inside 64 bits.
MAX_PAGE = 2**31 - 1

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """The first character of `text` that the database cannot store, or None."""
    found = _UNSTORABLE.search(text)
    return found.group() if found else None


def unstorable_message(character: str) -> str:
    if character == "\x00":
        return _("The NUL character (\\u0000) is not allowed.")
    return _("The character %(code)s is not allowed (a lone surrogate).") % {
        "code": f"\\u{ord(character):04x}"
    }


def page_number(value) -> int:
    """`?page=` as a number, or ValueError with the message to show (`None` is page 1)."""
    if value is None:
        return 1
    text = str(value)
    digits = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_PAGE))
    if not digits or not 1 <= int(text) <= MAX_PAGE:
        raise ValueError(_("A page is a whole number from 1 to %(max)d.") % {"max": MAX_PAGE})
    return int(text)


class InputError(ValueError):
    """Input outside these limits; `field` is the dotted path to it (None: the whole input),
    `code` says which limit: "too_deep", "unstorable" or "out_of_range"."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def load_json(data: bytes | str, *, parse_constant=None):
    """Parse JSON within the limits above; ValueError when it is not JSON, InputError (a
    ValueError too) when it is nested too deeply or holds unstorable text or huge integers."""
    try:
        value = json.loads(data, parse_constant=parse_constant)
    except RecursionError:
        raise _too_deep() from None
    check_json(value)
    return value


def _too_deep() -> InputError:
    return InputError(
        _("The JSON is nested more than %(max)d levels deep.") % {"max": MAX_JSON_DEPTH},
        code="too_deep",
    )


def check_json(value) -> None:
    """Raise InputError at the first part of parsed JSON outside the limits. Iterative, so a
    deep structure cannot exhaust the stack here."""
    low, high = INTEGER_RANGE
    pending = [(value, None, 0)]
    while pending:
        item, path, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise _too_deep()
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                name = str(key)
                character = unstorable(name) if isinstance(key, str) else None
                if character is not None:
                    raise InputError(unstorable_message(character), path, "unstorable")
                pending.append((child, f"{path}.{name}" if path else name, depth + 1))
        elif isinstance(item, str):
            character = unstorable(item)
            if character is not None:
                raise InputError(unstorable_message(character), path, "unstorable")
        elif isinstance(item, int) and not isinstance(item, bool) and not low <= item <= high:
            raise InputError(
                _("The number is outside the range a database integer can hold."),
                path,
                "out_of_range",
            )

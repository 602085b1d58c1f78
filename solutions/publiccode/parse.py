"""Reading a publiccode.yml's text, safely, as the YAML 1.2 document the standard asks for.

`parse_publiccode(text)` → (data, problems). The text is refused before parsing when larger
than MAX_BYTES or not UTF-8; it is then read by ruamel.yaml's safe loader (YAML 1.2: `yes`,
`no`, `on` and `off` are strings, so a `localisationReady: yes` is the wrong type, as the
reference parser says), with:

- no anchors or aliases (no "billion laughs"),
- nesting at most MAX_DEPTH deep,
- no duplicate keys,
- no tags beyond the plain ones (a `!!python/...` tag is an error, not an object),
- numbers too long to convert refused (Python's limit on integer digits),
- dates kept as the strings the standard asks for.

A problem of the text is one problem at the root (path "").
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent

from solutions.publiccode.rules import Problem

MAX_BYTES = 256 * 1024
MAX_DEPTH = 20
# More flow collections opened in a row than MAX_DEPTH allows: refused before the scanner,
# which spends a good part of a second on a long run of them before the depth limit applies.
_OPENERS = re.compile(r"(?:[\[{]\s*){" + str(MAX_DEPTH + 1) + "}")


class _Composer(Composer):
    """ruamel's composer, refusing aliases: a file has no use for them, and they are what a
    "billion laughs" is made of."""

    def compose_node(self, parent, index):
        if self.parser.check_event(AliasEvent):
            event = self.parser.peek_event()
            raise ComposerError(
                None, None, "anchors and aliases are not allowed here", event.start_mark
            )
        return super().compose_node(parent, index)


class _Constructor(SafeConstructor):
    """The safe constructor, keeping timestamps as the text they were written as."""

    def construct_yaml_timestamp(self, node, values=None):
        return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _loader() -> YAML:
    # A new instance per file: ruamel's YAML objects keep state while loading.
    yaml = YAML(typ="safe", pure=True)
    yaml.Composer = _Composer
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    yaml.max_depth = MAX_DEPTH
    return yaml


NOT_A_MAPPING = gettext_lazy(
    "A publiccode.yml is a mapping of keys (publiccodeYmlVersion, name, url, ...), "
    "not a single value or a list."
)
_NUL_MESSAGE = gettext_lazy("Text may not contain the NUL character (\\0).")


def parse_publiccode(text) -> tuple[object, list[Problem]]:
    """(data, []) for a file that parses to a mapping, else (None, [one problem at the root])
    — or, for NUL characters, a problem at each key path that holds one."""
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_BYTES:
            return None, [_too_large(len(text))]
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            return None, [Problem("", "encoding", _("A publiccode.yml is UTF-8 text."))]
    if not isinstance(text, str):
        return None, [Problem("", "type", _("Give the text of a publiccode.yml file."))]
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_BYTES:
        return None, [_too_large(size)]
    if not text.strip():
        return None, [Problem("", "required", _("The file is empty."))]
    if _OPENERS.search(text):
        return None, [_invalid(_("the file is nested too deeply"))]
    try:
        data = _loader().load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = (
            _(" (line %(line)s, column %(column)s)")
            % {"line": mark.line + 1, "column": mark.column + 1}
            if mark
            else ""
        )
        problem = error.problem or error.context or str(error)
        return None, [_invalid(f"{problem}{where}")]
    except (YAMLError, RecursionError, ValueError, TypeError, UnicodeError) as error:
        # ValueError: a number with more digits than Python converts; TypeError: an
        # unhashable key such as a list.
        return None, [_invalid(str(error).strip().splitlines()[0] if str(error) else "")]
    if not isinstance(data, dict):
        return None, [Problem("", "not_a_mapping", str(NOT_A_MAPPING))]
    # YAML escapes ("\0") make NUL characters that no database column can keep.
    nul = [Problem(path, "invalid_character", str(_NUL_MESSAGE)) for path in _nul_paths(data, "")]
    if nul:
        return None, nul
    return data, []


def _invalid(problem) -> Problem:
    return Problem(
        "",
        "invalid_yaml",
        _("This is not valid YAML: %(problem)s.") % {"problem": str(problem).rstrip(".")},
    )


def key_path(path: str, key) -> str:
    """The reference parser's key paths: keys joined by dots, list indexes in brackets."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _nul_paths(value, path):
    """Key paths of every string (key or value) that holds a NUL character."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            where = key_path(path, str(key))
            if isinstance(key, str) and "\x00" in key:
                yield where
            yield from _nul_paths(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, key_path(path, index))


def _too_large(size) -> Problem:
    return Problem(
        "",
        "too_large",
        _("A publiccode.yml is at most %(max)s KB; this one is %(size)s KB.")
        % {"max": MAX_BYTES // 1024, "size": (size + 1023) // 1024},
    )

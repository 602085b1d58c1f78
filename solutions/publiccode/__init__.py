"""publiccode.yml: the standard's vocabularies, reading a file, checking it as the reference
parser does, writing a solution's file, and reading a file into a solution's fields.

- `solutions.vocabularies` (beside the models, which read it): categories, scopes, countries,
  languages, `supports` aliases and versions, from the data files in `data/` (each naming its
  version and source).
- `parse`: `parse_publiccode(text)` → (data, problems), YAML 1.2, safely.
- `validate`: `check_publiccode(data)` → errors and warnings at their key paths;
  `validate_publiccode(data)` → the errors only.
- `export`: `export_publiccode(solution)` → dict, `publiccode_yaml(solution)` → the text, in
  the current version of the standard.
- `imports`: `solution_fields_from_text(text)` → a solution's fields, the problems, and (in
  `upgrades`) what an older file said that the current version says otherwise.
- `rules`: the rules for single values, shared with the metadata service.
- `fields`: the one mapping between the file's keys and the metadata's fields
  (`url` ↔ `repository_url`), for problems told in the metadata's terms.

The names below are importable from `solutions.publiccode` itself (the vocabularies' too). They
are loaded on first use, so importing the package does not import the models.
"""

from importlib import import_module

_EXPORTS = {
    "solutions.vocabularies": (
        "CATEGORIES",
        "CATEGORY_LABELS",
        "COUNTRIES",
        "CURRENT_VERSION",
        "LATEST_VERSIONS",
        "SCOPES",
        "SUPPORTS_ALIASES",
        "VERSIONS",
        "category_label",
        "vocabulary",
    ),
    "rules": (
        "DEPENDENCY_KINDS",
        "ERROR",
        "SCREENSHOT_EXTENSIONS",
        "URL_MAX",
        "WARNING",
        "Problem",
        "category_problem",
        "contact_problems",
        "contractor_problems",
        "date_problem",
        "email_problem",
        "licence_problem",
        "long_description_problem",
        "maintenance_problems",
        "screenshot_problem",
        "short_description_problem",
        "text_length",
        "url_problem",
    ),
    "parse": ("MAX_BYTES", "MAX_DEPTH", "parse_publiccode"),
    "validate": ("check_publiccode", "is_language_tag", "validate_publiccode"),
    "export": (
        "LANGUAGES",
        "PLATFORMS",
        "PUBLICCODE_YML_VERSION",
        "dump_publiccode",
        "export_publiccode",
        "publiccode_yaml",
    ),
    "fields": (
        "MetadataProblem",
        "field_for_key",
        "field_label",
        "key_for_field",
        "metadata_problems",
    ),
    "imports": (
        "Reading",
        "read_publiccode_text",
        "read_solution_fields",
        "solution_fields_from_text",
        "upgrade_publiccode",
    ),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _WHERE[name]
    value = getattr(import_module(module if "." in module else f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__

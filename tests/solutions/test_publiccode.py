"""publiccode.yml: the export of a complete solution validates; an import reports each kind of
error at its key path and writes nothing; export → import gives the same metadata.

`assert_exports_valid(solution)` is for the demo data's test too: every demo solution's file
must pass the validator.
"""

import copy
import re
from datetime import date

import pytest
import yaml

from cooperative.models import AuditRecord
from deelbaar.errors import DomainError, NotAllowed
from solutions.models import Solution, SolutionCategory
from solutions.publiccode import (
    MAX_BYTES,
    check_publiccode,
    export_publiccode,
    parse_publiccode,
    publiccode_yaml,
    validate_publiccode,
)
from solutions.services.metadata import EDITABLE_FIELDS, import_publiccode
from tests.solutions.factories import LONG, make_release, make_solution

pytestmark = pytest.mark.django_db


def assert_exports_valid(solution) -> dict:
    """The solution's publiccode.yml parses back and passes the validator with no error and
    no warning."""
    text = publiccode_yaml(solution)
    data, problems = parse_publiccode(text)
    assert problems == [], problems
    problems = check_publiccode(data)
    assert problems == [], "\n".join(p.line() for p in problems)
    return data


def complete_solution(cooperative, developed_by, **fields):
    """A solution with every field publiccode.yml can carry, maintained under contract."""
    defaults = {
        "name": "Bezwaar en beroep",
        "categories": ("document-management", "workflow-management"),
        "developed_by": developed_by,
        "licence": "EUPL-1.2",
        "development_status": "stable",
        "software_type": "standalone/web",
        "platforms": ["web", "android"],
        "maintenance_type": "contract",
        "maintenance_contractors": [
            {
                "name": "Gemboxx",
                "until": "2027-12-31",
                "email": "support@gemboxx.example",
                "website": "https://gemboxx.example",
            }
        ],
        "maintenance_contacts": [],
        "maintenance_until": date(2027, 12, 31),
        "documentation_url": "https://docs.example.org/bezwaar",
        "landing_url": "https://bezwaar.example.org",
        "dependencies": [
            {"name": "PostgreSQL", "kind": "open", "version_min": "14"},
            {"name": "Kofax", "kind": "proprietary", "version": "11"},
        ],
        "screenshots": ["https://bezwaar.example.org/screenshots/overzicht.png"],
        "features_nl": ["Bezwaren registreren", "Termijnen bewaken", "Besluiten vastleggen"],
        "features_en": ["Register objections", "Watch deadlines", "Record decisions"],
    }
    defaults.update(fields)
    solution = make_solution(cooperative=cooperative, **defaults)
    make_release(solution, "1.2.0")
    make_release(solution, "1.10.0")
    return solution


@pytest.fixture
def complete(zob, mgd):
    return complete_solution(zob, mgd)


@pytest.fixture
def valid_data(complete) -> dict:
    return export_publiccode(complete)


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def metadata(solution) -> dict:
    solution = Solution.objects.get(pk=solution.pk)
    values = {name: getattr(solution, name) for name in EDITABLE_FIELDS if name != "categories"}
    values["categories"] = sorted(solution.categories.values_list("category", flat=True))
    values["maintenance_until"] = solution.maintenance_until
    return values


# --- Export --------------------------------------------------------------------------------------
def test_the_export_of_a_complete_solution_validates(complete):
    data = assert_exports_valid(complete)
    assert data["publiccodeYmlVersion"] == "0.7.0"
    assert data["name"] == "Bezwaar en beroep"
    assert data["url"] == complete.repository_url
    assert data["landingURL"] == "https://bezwaar.example.org"
    assert data["softwareVersion"] == "1.10.0"  # the newest by version, not by text
    assert len(data["releaseDate"]) == 10
    assert data["categories"] == ["document-management", "workflow-management"]
    assert data["developmentStatus"] == "stable"
    assert data["description"]["nl"]["shortDescription"] == complete.short_description_nl
    assert data["description"]["en"]["features"][0] == "Register objections"
    assert data["description"]["nl"]["documentation"] == "https://docs.example.org/bezwaar"
    assert data["legal"] == {
        "license": "EUPL-1.2",
        "mainCopyrightOwner": "MijnGemeenteDichtbij",
    }
    assert data["organisation"] == {
        "uri": f"urn:x-deelbaar:cooperative:{complete.cooperative.slug}",
        "name": "ICT Samenwerking Zuidoost-Brabant",
    }
    assert data["maintenance"]["type"] == "contract"
    assert data["maintenance"]["contractors"][0]["until"] == "2027-12-31"
    assert data["localisation"] == {"localisationReady": True, "availableLanguages": ["nl", "en"]}
    assert data["dependsOn"]["open"] == [{"name": "PostgreSQL", "versionMin": "14"}]
    assert data["dependsOn"]["proprietary"] == [{"name": "Kofax", "version": "11"}]


def test_the_factory_solution_exports_valid_too(solution):
    data = assert_exports_valid(solution)
    assert data["maintenance"] == {
        "type": "internal",
        "contacts": [{"name": "Beheer", "email": "beheer@example.org"}],
    }


def test_the_file_keeps_dates_and_versions_as_strings(complete):
    text = publiccode_yaml(complete)
    assert "publiccodeYmlVersion: 0.7.0" in text
    plain = yaml.safe_load(text)
    assert isinstance(plain["publiccodeYmlVersion"], str)
    assert isinstance(plain["releaseDate"], str)


def test_an_incomplete_solution_exports_what_it_has_and_the_validator_names_the_rest(zob):
    bare = make_solution(cooperative=zob, name="Kaal", categories=(), repository_url="")
    problems = {p.path for p in validate_publiccode(export_publiccode(bare))}
    assert problems == {"url"}


# --- Validation and import errors -----------------------------------------------------------------
def _key(key):
    return int(key) if key.isdigit() else key


def _parent(data, path):
    *parents, last = re.findall(r"[^.\[\]]+", path)
    for key in parents:
        data = data[_key(key)]
    return data, _key(last)


def _without(path):
    def change(data):
        target, last = _parent(data, path)
        del target[last]

    return change


def _set(path, value):
    def change(data):
        target, last = _parent(data, path)
        target[last] = value

    return change


ERRORS = {
    "missing name": (_without("name"), "name", "required"),
    "missing url": (_without("url"), "url", "required"),
    "missing legal": (_without("legal"), "legal.license", "required"),
    "missing license": (_without("legal.license"), "legal.license", "required"),
    "missing maintenance type": (_without("maintenance.type"), "maintenance.type", "required"),
    "missing localisation": (
        _without("localisation"),
        "localisation.localisationReady",
        "required",
    ),
    "missing shortDescription": (
        _without("description.nl.shortDescription"),
        "description.nl.shortDescription",
        "required",
    ),
    "bad developmentStatus": (
        _set("developmentStatus", "finished"),
        "developmentStatus",
        "invalid_choice",
    ),
    "bad softwareType": (_set("softwareType", "standalone"), "softwareType", "invalid_choice"),
    "bad maintenance type": (
        _set("maintenance.type", "paid"),
        "maintenance.type",
        "invalid_choice",
    ),
    "unknown category": (
        _set("categories", ["grant-management", "subsidies"]),
        "categories[1]",
        "unknown_category",
    ),
    "too long shortDescription": (
        _set("description.nl.shortDescription", "x" * 151),
        "description.nl.shortDescription",
        "too_long",
    ),
    "too short longDescription": (
        _set("description.en.longDescription", "Te kort."),
        "description.en.longDescription",
        "too_short",
    ),
    "too long longDescription": (
        _set("description.en.longDescription", "x" * 10_001),
        "description.en.longDescription",
        "too_long",
    ),
    "bad SPDX": (_set("legal.license", "EUPL-1.2-or-whatever"), "legal.license", "invalid_licence"),
    "bad SPDX syntax": (_set("legal.license", "MIT AND"), "legal.license", "invalid_licence"),
    "contract without contractors": (
        _without("maintenance.contractors"),
        "maintenance.contractors",
        "required",
    ),
    "contractor without until": (
        _without("maintenance.contractors[0].until"),
        "maintenance.contractors[0].until",
        "required",
    ),
    "internal without contacts": (
        _set("maintenance.type", "internal"),
        "maintenance.contacts",
        "required",
    ),
    "bad until date": (
        _set("maintenance.contractors[0].until", "31-12-2027"),
        "maintenance.contractors[0].until",
        "invalid_date",
    ),
    "impossible releaseDate": (_set("releaseDate", "2026-02-30"), "releaseDate", "invalid_date"),
    "bad url": (_set("url", "git@example.org:repo.git"), "url", "invalid_url"),
    "bad contractor e-mail": (
        _set("maintenance.contractors[0].email", "support-at-gemboxx"),
        "maintenance.contractors[0].email",
        "invalid_email",
    ),
    "platforms of the wrong type": (_set("platforms", 5), "platforms", "type"),
    "localisationReady not a boolean": (
        _set("localisation.localisationReady", "ja"),
        "localisation.localisationReady",
        "type",
    ),
    "unsupported version": (
        _set("publiccodeYmlVersion", "1.0"),
        "publiccodeYmlVersion",
        "unsupported_version",
    ),
    "bad screenshot": (
        _set("description.nl.screenshots", ["overzicht.gif"]),
        "description.nl.screenshots[0]",
        "invalid_format",
    ),
    "dependency without a name": (
        _set("dependsOn.open", [{"versionMin": "14"}]),
        "dependsOn.open[0].name",
        "required",
    ),
}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_each_kind_of_error_is_reported_at_its_key_path(case, valid_data):
    change, path, code = ERRORS[case]
    data = copy.deepcopy(valid_data)
    change(data)
    problems = validate_publiccode(dump(data))
    assert (path, code) in {(p.path, p.code) for p in problems}, problems


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_date_is_said_to_be_empty(valid_data, language, empty):
    from django.utils import translation

    data = copy.deepcopy(valid_data)
    data["releaseDate"] = empty
    with translation.override(language):
        [problem] = [p for p in validate_publiccode(dump(data)) if p.path == "releaseDate"]
        message = str(problem.message)
    assert problem.code == "invalid_date"
    # It quoted the value it refused: "(not )", in Dutch "(niet )".
    assert "(not )" not in message and "(niet )" not in message
    assert "2026-12-31" in message
    if language == "en":
        assert message.startswith("The date is empty")


TEXT_ERRORS = {
    "not YAML": ("name: [Medusa\nurl: x", "invalid_yaml"),
    "not a mapping": ("- name: Medusa\n- url: x\n", "not_a_mapping"),
    "a single value": ("Medusa\n", "not_a_mapping"),
    "empty": ("   \n", "required"),
    "an alias bomb": (
        'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n',
        "invalid_yaml",
    ),
    "nested too deeply": ("a: " + "[" * 200 + "]" * 200 + "\n", "invalid_yaml"),
    "a duplicate key": ("name: A\nname: B\n", "invalid_yaml"),
    "too large": ("name: " + "x" * MAX_BYTES + "\n", "too_large"),
    "not UTF-8": (b"name: \xff\xfe\n", "encoding"),
}


@pytest.mark.parametrize("case", TEXT_ERRORS, ids=list(TEXT_ERRORS))
def test_a_file_that_is_no_mapping_is_one_problem_at_the_root(case):
    text, code = TEXT_ERRORS[case]
    problems = validate_publiccode(text)
    assert [(p.path, p.code) for p in problems] == [("", code)]


def test_every_problem_is_reported_at_once(valid_data):
    data = copy.deepcopy(valid_data)
    del data["name"]
    data["developmentStatus"] = "finished"
    data["legal"]["license"] = "Foo-1.0"
    data["maintenance"]["contractors"][0]["until"] = "morgen"
    paths = {p.path for p in validate_publiccode(data)}
    assert {
        "name",
        "developmentStatus",
        "legal.license",
        "maintenance.contractors[0].until",
    } <= paths


def _counts():
    return (
        Solution.objects.count(),
        SolutionCategory.objects.count(),
        AuditRecord.objects.filter(action="solution.imported").count(),
    )


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_an_import_with_an_error_reports_it_and_writes_nothing(case, valid_data, coordinator, zob):
    change, path, code = ERRORS[case]
    data = copy.deepcopy(valid_data)
    change(data)
    before = _counts()
    with pytest.raises(DomainError) as refused:
        import_publiccode(actor=coordinator, cooperative=zob, text=dump(data))
    assert (path, code) in {(p[0], p[1]) for p in refused.value.errors}
    assert _counts() == before


@pytest.mark.parametrize("case", TEXT_ERRORS, ids=list(TEXT_ERRORS))
def test_an_import_of_no_mapping_reports_one_root_problem_and_writes_nothing(
    case, coordinator, zob
):
    text, code = TEXT_ERRORS[case]
    before = _counts()
    with pytest.raises(DomainError) as refused:
        import_publiccode(actor=coordinator, cooperative=zob, text=text)
    assert [(p[0], p[1]) for p in refused.value.errors] == [(None, code)]
    assert _counts() == before


def test_a_file_without_dutch_or_english_cannot_be_imported(valid_data, coordinator, zob):
    data = copy.deepcopy(valid_data)
    data["description"] = {"de": data["description"]["en"]}
    assert validate_publiccode(data) == []  # valid publiccode.yml, but not for this library
    with pytest.raises(DomainError) as refused:
        import_publiccode(actor=coordinator, cooperative=zob, text=dump(data))
    assert refused.value.errors[0][:2] == ("description", "no_supported_language")


def test_a_failed_update_from_a_file_leaves_the_solution_as_it_was(
    complete, valid_data, coordinator
):
    before = metadata(complete)
    data = copy.deepcopy(valid_data)
    data["name"] = "Nieuwe naam"
    data["legal"]["license"] = "Foo-1.0"
    with pytest.raises(DomainError):
        import_publiccode(actor=coordinator, cooperative=None, text=dump(data), solution=complete)
    assert metadata(complete) == before


# --- Import and round trip ---------------------------------------------------------------------
def test_export_then_import_gives_the_same_metadata(complete, coordinator, zob):
    imported = import_publiccode(actor=coordinator, cooperative=zob, text=publiccode_yaml(complete))
    assert imported.pk != complete.pk
    assert imported.slug != complete.slug
    original, copy_ = metadata(complete), metadata(imported)
    # Standards and the estimated cost have no place in publiccode.yml.
    for name in ("standards", "estimated_cost"):
        original.pop(name), copy_.pop(name)
    assert copy_ == original
    assert imported.version == 1
    record = AuditRecord.objects.get(action="solution.imported", object_id=str(imported.pk))
    assert record.actor == coordinator
    assert record.changes["name"] == [None, "Bezwaar en beroep"]


def test_the_factory_solution_round_trips_too(solution, coordinator, zob):
    imported = import_publiccode(actor=coordinator, cooperative=zob, text=publiccode_yaml(solution))
    original, copy_ = metadata(solution), metadata(imported)
    for name in ("standards", "estimated_cost"):
        original.pop(name), copy_.pop(name)
    assert copy_ == original


def test_an_update_from_a_file_restores_the_metadata_and_is_audited(complete, coordinator):
    text = publiccode_yaml(complete)
    expected = metadata(complete)
    Solution.objects.filter(pk=complete.pk).update(
        name="Iets anders", licence="MIT", maintenance_type="none", maintenance_contractors=[]
    )
    SolutionCategory.objects.filter(solution=complete).delete()
    updated = import_publiccode(actor=coordinator, cooperative=None, text=text, solution=complete)
    assert metadata(updated) == expected
    assert updated.version == complete.version + 1
    record = AuditRecord.objects.get(action="solution.imported", object_id=str(complete.pk))
    assert record.changes["name"] == ["Iets anders", "Bezwaar en beroep"]
    assert record.changes["categories"][1] == ["document-management", "workflow-management"]


def test_an_import_normalises_the_licence_and_reads_a_plain_file(coordinator, zob):
    text = f"""
publiccodeYmlVersion: "0.2"
name: Medusa
url: "https://example.com/italia/medusa.git"
releaseDate: 2017-04-15
platforms: web
categories: [office]
developmentStatus: beta
softwareType: "standalone/desktop"
description:
  en-GB:
    shortDescription: A text editor
    longDescription: >
      {LONG.format(name="Medusa")}
    features: [Edit text]
legal:
  license: agpl-3.0-or-later
maintenance:
  type: community
  contacts: [{{name: Francesco Rossi}}]
localisation:
  localisationReady: false
  availableLanguages: [en]
"""
    solution = import_publiccode(actor=coordinator, cooperative=zob, text=text)
    assert solution.licence == "AGPL-3.0-or-later"
    assert solution.platforms == ["web"]
    assert solution.short_description_en == "A text editor"
    assert solution.short_description_nl == ""
    assert solution.maintenance_contacts == [{"name": "Francesco Rossi"}]
    assert solution.developed_by is None
    assert list(solution.categories.values_list("category", flat=True)) == ["office"]


def test_a_slug_taken_already_gets_a_number(complete, coordinator, zob):
    first = import_publiccode(actor=coordinator, cooperative=zob, text=publiccode_yaml(complete))
    second = import_publiccode(actor=coordinator, cooperative=zob, text=publiccode_yaml(complete))
    assert first.slug == "bezwaar-en-beroep"
    assert second.slug == "bezwaar-en-beroep-2"


# --- Who may import ------------------------------------------------------------------------------
def test_only_the_cooperatives_coordinators_import_new_solutions(
    complete, zob, member_person, other_coordinator, developer, outsider_person
):
    text = publiccode_yaml(complete)
    before = _counts()
    for person in (member_person, other_coordinator, developer, outsider_person):
        with pytest.raises(NotAllowed):
            import_publiccode(actor=person, cooperative=zob, text=text)
    assert _counts() == before


def test_those_who_may_edit_a_solution_update_it_from_a_file(
    solution, product_owner, other_coordinator, tester
):
    text = publiccode_yaml(solution)
    updated = import_publiccode(actor=product_owner, cooperative=None, text=text, solution=solution)
    assert updated.version == solution.version + 1
    for person in (other_coordinator, tester):
        with pytest.raises(NotAllowed):
            import_publiccode(actor=person, cooperative=None, text=text, solution=solution)


def test_a_solution_cannot_be_updated_into_another_cooperative(solution, coordinator, dimpact):
    with pytest.raises(DomainError) as refused:
        import_publiccode(
            actor=coordinator,
            cooperative=dimpact,
            text=publiccode_yaml(solution),
            solution=solution,
        )
    assert refused.value.field == "cooperative"


def test_a_nul_character_is_refused_at_its_key_path():
    data, problems = parse_publiccode('name: "Naam\\0met nul"\nfeatures:\n  - "a\\0b"\n')
    assert data is None
    assert [(p.path, p.code) for p in problems] == [
        ("name", "invalid_character"),
        ("features[0]", "invalid_character"),
    ]


def test_an_older_file_is_imported_with_a_list_of_what_was_upgraded(coordinator, zob):
    text = f"""
publiccodeYmlVersion: "0.4"
name: Medusa
url: "https://example.com/italia/medusa.git"
monochromeLogo: img/logo-mono.svg
platforms: [web]
developmentStatus: beta
softwareType: "standalone/web"
intendedAudience:
  countries: [it, nl]
description:
  en:
    genericName: Editor
    shortDescription: A text editor
    longDescription: >
      {LONG.format(name="Medusa")}
    features: [Edit text]
legal:
  license: EUPL-1.2
  repoOwner: Comune di Medusa
maintenance:
  type: community
  contacts: [{{name: Francesco Rossi}}]
localisation:
  localisationReady: false
  availableLanguages: [en]
"""
    solution = import_publiccode(actor=coordinator, cooperative=zob, text=text)
    upgrades = "\n".join(solution.publiccode_upgrades)
    for said in ("0.4", "legal.repoOwner", "monochromeLogo", "genericName", "IT, NL"):
        assert said in upgrades
    assert len(solution.publiccode_upgrades) == 5
    # No categories: optional in the standard since 0.5, and none is invented.
    assert not solution.categories.exists()
    record = AuditRecord.objects.filter(action="solution.imported").latest("pk")
    assert "legal.repoOwner" in record.reason


def test_the_migration_maps_the_categories_the_standard_never_had(solution):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("solutions.migrations.0004_publiccode_categories")
    SolutionCategory.objects.filter(solution=solution).delete()
    # Stored before the migration: values outside today's choices, as the old list allowed.
    SolutionCategory.objects.bulk_create(
        SolutionCategory(solution=solution, category=value)
        for value in ("permit-management", "digital-citizenship", "risk-management")
    )
    migration.map_categories(apps, None)
    assert sorted(solution.categories.values_list("category", flat=True)) == [
        "compliance-management",
        "digital-citizenship",
    ]


def test_a_name_longer_than_the_library_keeps_is_refused_at_its_key_path(
    valid_data, coordinator, zob
):
    data = copy.deepcopy(valid_data)
    data["name"] = "N" * 201
    assert validate_publiccode(data) == []  # the standard sets no limit
    before = _counts()
    with pytest.raises(DomainError) as refused:
        import_publiccode(actor=coordinator, cooperative=zob, text=dump(data))
    assert ("name", "too_long") in {(field, code) for field, code, _m in refused.value.errors}
    assert _counts() == before

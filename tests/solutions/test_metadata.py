"""Editing a solution's metadata: publiccode.yml's rules for every field, every problem at once,
optimistic concurrency, the permission, categories as rows and the audit trail."""

from datetime import date

import pytest

from cooperative.models import AuditRecord
from deelbaar.errors import DomainError, NotAllowed, StaleObject
from solutions.models import Solution
from solutions.services.metadata import update_solution

pytestmark = pytest.mark.django_db

LONG_NL = (
    "Met het subsidiesysteem dienen inwoners en verenigingen hun aanvraag digitaal in. "
    "Medewerkers beoordelen de aanvragen, leggen besluiten vast en betalen uit, alles op één plek."
)


def fresh(solution) -> Solution:
    return Solution.objects.get(pk=solution.pk)


def test_a_coordinator_edits_the_metadata(solution, coordinator):
    updated = update_solution(
        actor=coordinator,
        solution=solution,
        version=solution.version,
        name="Subsidies",
        short_description_nl="Subsidies aanvragen en verlenen.",
        long_description_nl=LONG_NL,
        categories=["grant-management", "payment-gateway", "grant-management"],
        licence="eupl-1.2",
        maintenance_type="contract",
        maintenance_contractors=[
            {"name": "Gemboxx", "until": "2027-06-30"},
            {"name": "Beheer BV", "until": "2026-12-31", "website": "https://beheer.example"},
        ],
        estimated_cost="125000,50",
    )
    solution = fresh(solution)
    assert updated.version == solution.version == 2
    assert solution.name == "Subsidies"
    assert solution.licence == "EUPL-1.2"
    assert solution.maintenance_until == date(2026, 12, 31)  # the earliest end date
    assert solution.maintenance_contacts == []  # contacts belong to internal maintenance
    assert str(solution.estimated_cost) == "125000.50"
    assert sorted(solution.categories.values_list("category", flat=True)) == [
        "grant-management",
        "payment-gateway",
    ]
    assert solution.updated_at > solution.created_at
    record = AuditRecord.objects.get(action="solution.updated", object_id=str(solution.pk))
    assert record.actor == coordinator
    assert record.changes["name"] == ["Subsidiesysteem", "Subsidies"]
    assert record.changes["categories"] == [
        ["grant-management"],
        ["grant-management", "payment-gateway"],
    ]
    assert record.changes["maintenance_type"] == ["internal", "contract"]
    assert "features_nl" not in record.changes  # only what changed


def test_the_source_products_owner_edits_too(solution, product_owner):
    update_solution(actor=product_owner, solution=solution, version=1, platforms=["web", "ios"])
    assert fresh(solution).platforms == ["web", "ios"]


@pytest.mark.parametrize(
    "who", ["developer", "tester", "other_coordinator", "outsider_person", "mgd_person"]
)
def test_others_may_not_edit(request, solution, who):
    person = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        update_solution(actor=person, solution=solution, version=1, name="Van mij")
    assert fresh(solution).name == "Subsidiesysteem"


def test_a_stale_version_is_refused_and_nothing_changes(solution, coordinator, product_owner):
    update_solution(actor=coordinator, solution=solution, version=1, name="Eerste wijziging")
    with pytest.raises(StaleObject) as refused:
        update_solution(actor=product_owner, solution=solution, version=1, name="Tweede")
    assert refused.value.status_code == 412
    assert refused.value.field == "version"
    solution = fresh(solution)
    assert (solution.name, solution.version) == ("Eerste wijziging", 2)
    assert AuditRecord.objects.filter(action="solution.updated").count() == 1


def test_every_field_is_checked_and_every_problem_reported_at_once(solution, coordinator):
    with pytest.raises(DomainError) as refused:
        update_solution(
            actor=coordinator,
            solution=solution,
            version=1,
            name="",
            short_description_nl="x" * 151,
            long_description_en="Te kort.",
            categories=["grant-management", "subsidies"],
            platforms=[],
            software_type="standalone",
            development_status="finished",
            licence="EUPL-9",
            repository_url="git@example.org:subsidies.git",
            screenshots=["overzicht.gif"],
            dependencies=[{"kind": "open"}],
            estimated_cost="-5",
        )
    found = {(path, code) for path, code, _message in refused.value.errors}
    assert found >= {
        ("name", "required"),
        ("short_description_nl", "too_long"),
        ("long_description_en", "too_short"),
        ("categories.1", "unknown_category"),
        ("platforms", "required"),
        ("software_type", "invalid_choice"),
        ("development_status", "invalid_choice"),
        ("licence", "invalid_licence"),
        ("repository_url", "invalid_url"),
        ("screenshots.0", "invalid_format"),
        ("dependencies.0.name", "required"),
        ("estimated_cost", "invalid"),
    }
    solution = fresh(solution)
    assert (solution.name, solution.version) == ("Subsidiesysteem", 1)


def test_a_long_description_may_be_empty_but_not_too_long(solution, coordinator):
    update_solution(actor=coordinator, solution=solution, version=1, long_description_en="")
    with pytest.raises(DomainError) as refused:
        update_solution(
            actor=coordinator, solution=solution, version=2, long_description_en="x" * 10_001
        )
    assert refused.value.errors[0][:2] == ("long_description_en", "too_long")


def test_some_short_description_is_required(solution, coordinator):
    with pytest.raises(DomainError) as refused:
        update_solution(
            actor=coordinator,
            solution=solution,
            version=1,
            short_description_nl="",
            short_description_en=" ",
        )
    assert refused.value.errors[0][:2] == ("short_description_nl", "required")


def test_maintenance_rules_apply_to_the_solution_as_it_will_be(solution, coordinator):
    # The factory's solution is maintained internally, with contacts but no contractors.
    with pytest.raises(DomainError) as refused:
        update_solution(
            actor=coordinator, solution=solution, version=1, maintenance_type="contract"
        )
    assert refused.value.errors[0][:2] == ("maintenance_contractors", "required")

    with pytest.raises(DomainError) as refused:
        update_solution(
            actor=coordinator,
            solution=solution,
            version=1,
            maintenance_type="contract",
            maintenance_contractors=[
                {"name": "Gemboxx", "until": "2027-12-31"},
                {"name": "", "until": "31-12-2027", "email": "geen-adres"},
            ],
        )
    found = {(path, code) for path, code, _message in refused.value.errors}
    assert found == {
        ("maintenance_contractors.1.name", "required"),
        ("maintenance_contractors.1.until", "invalid_date"),
        ("maintenance_contractors.1.email", "invalid_email"),
    }

    with pytest.raises(DomainError) as refused:
        update_solution(actor=coordinator, solution=solution, version=1, maintenance_contacts=[])
    assert refused.value.errors[0][:2] == ("maintenance_contacts", "required")

    update_solution(actor=coordinator, solution=solution, version=1, maintenance_type="none")
    solution = fresh(solution)
    assert (solution.maintenance_contacts, solution.maintenance_until) == ([], None)


def test_categories_need_at_least_one(solution, coordinator):
    with pytest.raises(DomainError) as refused:
        update_solution(actor=coordinator, solution=solution, version=1, categories=[])
    assert refused.value.errors[0][:2] == ("categories", "required")
    assert list(fresh(solution).categories.values_list("category", flat=True)) == [
        "grant-management"
    ]


def test_input_of_the_wrong_shape_is_refused_not_a_crash(solution, coordinator):
    with pytest.raises(DomainError) as refused:
        update_solution(
            actor=coordinator,
            solution=solution,
            version=1,
            name=5,
            features_nl="één lange tekst",
            maintenance_contacts=["Beheer"],
            developed_by=999_999,
        )
    paths = {path for path, _code, _message in refused.value.errors}
    assert paths >= {"name", "features_nl", "maintenance_contacts.0", "developed_by"}


def test_unknown_fields_and_versions_are_refused(solution, coordinator):
    with pytest.raises(DomainError) as refused:
        update_solution(actor=coordinator, solution=solution, version=1, slug="eigen-adres")
    assert refused.value.field == "slug"
    with pytest.raises(DomainError) as refused:
        update_solution(actor=coordinator, solution=solution, version="een", name="X")
    assert refused.value.field == "version"


def test_developed_by_is_an_organisation(solution, coordinator, mgd):
    update_solution(actor=coordinator, solution=solution, version=1, developed_by=mgd.pk)
    assert fresh(solution).developed_by == mgd
    update_solution(actor=coordinator, solution=solution, version=2, developed_by=None)
    assert fresh(solution).developed_by is None

"""The cooperative API: each endpoint's happy path and its bad input, through the real services.

Every refusal answers the one error shape and names the field at fault; nothing is written.
"""

import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.timezone import localdate
from rest_framework.test import APIClient

from cooperative import services
from cooperative.models import (
    AuditRecord,
    Cooperative,
    Membership,
    Organisation,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ORGANISATIONS = "/api/v1/organisations/"
COOPERATIVES = "/api/v1/cooperatives/"
AUDIT = "/api/v1/audit/"


def memberships_url(cooperative, membership=None, action=None):
    url = f"{COOPERATIVES}{cooperative.slug}/memberships/"
    if membership is not None:
        url += f"{membership.pk}/"
    if action:
        url += f"{action}/"
    return url


def problems(response, status):
    """The error body in its one shape, as {field: code}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    assert body["status"] == status
    assert body["detail"]
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message"}
        assert error["message"]
    return {error["field"]: error["code"] for error in body["errors"]}


def everything():
    """Every row the cooperative app holds, to prove a refused request wrote nothing."""
    return (
        list(Organisation.objects.values()),
        list(Organisation.represents.through.objects.values()),
        list(Cooperative.objects.values()),
        list(Membership.objects.values()),
        AuditRecord.objects.count(),
    )


@pytest.fixture
def api_client():
    # Messages are asserted in English, the source language; Dutch is the default.
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def as_user(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


# --- Organisations -----------------------------------------------------------------------------
def test_anyone_lists_organisations_with_what_they_represent(api_client, cooperative_world):
    response = api_client.get(ORGANISATIONS, {"page_size": 100})
    assert response.status_code == 200
    by_name = {o["name"]: o for o in response.json()["results"]}
    assert {"Eindhoven", "MijnGemeenteDichtbij", "Gemboxx", "Utrecht"} <= set(by_name)
    eindhoven = by_name["Eindhoven"]
    assert eindhoven["kind"] == "municipality"
    assert eindhoven["cbs_code"] == "GM0772"
    assert eindhoven["inhabitants"] == 243_730
    mgd = by_name["MijnGemeenteDichtbij"]
    assert mgd["kind"] == "joint_arrangement"
    assert [(m["name"], m["slug"]) for m in mgd["represents"]] == [
        ("Boxtel", "boxtel"),
        ("Sint-Michielsgestel", "sint-michielsgestel"),
    ]
    assert all(isinstance(m["id"], int) for m in mgd["represents"])


def test_anyone_reads_one_organisation(api_client, eindhoven):
    response = api_client.get(f"{ORGANISATIONS}{eindhoven.pk}/")
    assert response.status_code == 200
    assert response.json()["slug"] == "eindhoven"
    assert api_client.get(f"{ORGANISATIONS}999999/").status_code == 404
    assert api_client.get(f"{ORGANISATIONS}abc/").status_code == 404


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"kind": "joint_arrangement"}, ["MijnGemeenteDichtbij"]),
        ({"kind": "supplier"}, ["Gemboxx"]),
        ({"cbs_code": "GM0772"}, ["Eindhoven"]),
        ({"cbs_code": "gm0757"}, ["Boxtel"]),
        ({"search": "michiel"}, ["Sint-Michielsgestel"]),
        ({"search": "TRECH"}, ["Utrecht"]),
        ({"kind": "municipality", "search": "b"}, ["Boxtel", "Zz Brabant"]),
    ],
)
def test_organisations_filter_by_kind_cbs_code_and_name(
    api_client, cooperative_world, municipality, query, names
):
    municipality("Zz Brabant", "GM9999", 10)
    response = api_client.get(ORGANISATIONS, query)
    assert response.status_code == 200
    assert [o["name"] for o in response.json()["results"]] == names


def test_unknown_kind_in_a_filter_is_a_400_naming_it(api_client, eindhoven):
    assert problems(api_client.get(ORGANISATIONS, {"kind": "village"}), 400) == {
        "kind": "invalid_choice"
    }


def test_coordinator_registers_a_municipality(as_user, coordinator):
    response = as_user(coordinator).post(
        ORGANISATIONS,
        {"kind": "municipality", "name": "Helmond", "cbs_code": "GM0794", "inhabitants": 95_000},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "helmond"
    assert body["cbs_code"] == "GM0794"
    helmond = Organisation.objects.get(slug="helmond")
    record = AuditRecord.objects.get(action="organisation.registered", object_id=str(helmond.pk))
    assert record.actor == coordinator


def test_coordinator_registers_a_joint_arrangement_with_its_municipalities(
    as_user, coordinator, boxtel, sint_michielsgestel
):
    response = as_user(coordinator).post(
        ORGANISATIONS,
        {
            "kind": "joint_arrangement",
            "name": "Meierijstad en omstreken",
            "represents": [boxtel.pk, sint_michielsgestel.pk],
        },
    )
    assert response.status_code == 201, response.content
    assert {m["name"] for m in response.json()["represents"]} == {"Boxtel", "Sint-Michielsgestel"}


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (
            {"kind": "municipality", "name": "X", "cbs_code": "GM77", "inhabitants": 1},
            "cbs_code",
            "invalid_cbs_code",
        ),
        (
            {"kind": "municipality", "name": "X", "cbs_code": "0772GM", "inhabitants": 1},
            "cbs_code",
            "invalid_cbs_code",
        ),
        (
            {"kind": "municipality", "name": "X", "cbs_code": "GM0772", "inhabitants": 1},
            "cbs_code",
            "invalid",  # already taken; the model's checks answer with the generic code
        ),
        ({"kind": "municipality", "name": "X", "inhabitants": 1}, "cbs_code", "invalid"),
        ({"kind": "municipality", "name": "X", "cbs_code": "GM0001"}, "inhabitants", "invalid"),
        ({"kind": "supplier", "name": "X", "cbs_code": "GM0001"}, "cbs_code", "invalid"),
        ({"kind": "village", "name": "X"}, "kind", "invalid_choice"),
        ({"name": "X"}, "kind", "required"),
        ({"kind": "supplier", "name": ""}, "name", "blank"),
        ({"kind": "supplier", "name": "X", "inhabitants": -5}, "inhabitants", "min_value"),
        ({"kind": "supplier", "name": "X", "inhabitants": "many"}, "inhabitants", "invalid"),
        ({"kind": "supplier", "name": "X", "inhabitants": 2**31}, "inhabitants", "max_value"),
        # Beyond 64 bits the API's JSON parser refuses it before the serializer.
        ({"kind": "supplier", "name": "X", "inhabitants": 10**20}, "inhabitants", "out_of_range"),
        ({"kind": "supplier", "name": "X" * 201}, "name", "max_length"),
        (
            {"kind": "joint_arrangement", "name": "X", "represents": [999999]},
            "represents",
            "does_not_exist",
        ),
        (
            {"kind": "joint_arrangement", "name": "X", "represents": ["a"]},
            "represents",
            "incorrect_type",
        ),
        (
            {"kind": "joint_arrangement", "name": "X", "represents": ["EINDHOVEN", 999999]},
            "represents",
            "does_not_exist",
        ),
        ({"kind": "supplier", "name": "X", "represents": ["BOXTEL"]}, "represents", "invalid"),
        (
            {"kind": "joint_arrangement", "name": "X", "represents": ["GEMBOXX"]},
            "represents",
            "invalid",
        ),
    ],
)
def test_bad_organisation_is_a_400_naming_the_field_and_writes_nothing(
    as_user, coordinator, eindhoven, boxtel, gemboxx, body, field, code
):
    ids = {"EINDHOVEN": eindhoven.pk, "BOXTEL": boxtel.pk, "GEMBOXX": gemboxx.pk}
    if "represents" in body:
        body["represents"] = [ids.get(r, r) for r in body["represents"]]
    before = everything()
    errors = problems(as_user(coordinator).post(ORGANISATIONS, body), 400)
    assert errors == {field: code}
    assert everything() == before


def test_coordinator_corrects_an_organisation_and_it_is_audited(
    as_user, coordinator, eindhoven, eindhoven_membership, zob
):
    response = as_user(coordinator).patch(
        f"{ORGANISATIONS}{eindhoven.pk}/", {"inhabitants": 245_000}
    )
    assert response.status_code == 200, response.content
    assert response.json()["inhabitants"] == 245_000
    assert response.json()["cbs_code"] == "GM0772"
    record = AuditRecord.objects.get(action="organisation.changed")
    assert record.changes == {"inhabitants": [243_730, 245_000]}
    assert record.actor == coordinator
    assert (record.cooperative, record.organisation) == (zob, eindhoven)


def test_a_correction_is_audited_in_each_cooperative_of_the_organisation(
    as_user, coordinator, other_coordinator, eindhoven, eindhoven_membership, dimpact
):
    """Eindhoven is active in Zuidoost-Brabant and applies to Dimpact: the coordinator of
    either may correct it, and both find the correction in their own audit trail."""
    services.apply_for_membership(
        actor=eindhoven.affiliations.get().user, cooperative=dimpact, organisation=eindhoven
    )
    response = as_user(other_coordinator).patch(
        f"{ORGANISATIONS}{eindhoven.pk}/", {"inhabitants": 246_000}
    )
    assert response.status_code == 200, response.content
    records = AuditRecord.objects.filter(action="organisation.changed")
    assert sorted(r.cooperative.slug for r in records) == ["dimpact", "zuidoost-brabant"]
    assert {(r.actor, r.organisation, r.object_id) for r in records} == {
        (other_coordinator, eindhoven, str(eindhoven.pk))
    }
    for who, slug in ((coordinator, "zuidoost-brabant"), (other_coordinator, "dimpact")):
        trail = as_user(who).get(AUDIT, {"action": "organisation.changed"}).json()["results"]
        assert [r["changes"] for r in trail] == [{"inhabitants": [243_730, 246_000]}], who
        assert [r["cooperative"] for r in trail] == [slug], who


def test_a_correction_of_an_organisation_of_no_cooperative_is_audited_once(admin, utrecht):
    services.update_organisation(
        actor=admin, organisation=utrecht, name="Utrecht", cbs_code="GM0344", inhabitants=1
    )
    record = AuditRecord.objects.get(action="organisation.changed")
    assert (record.cooperative, record.organisation) == (None, utrecht)


def test_correcting_what_a_joint_arrangement_represents(
    as_user, coordinator, mgd, mgd_membership, boxtel
):
    response = as_user(coordinator).patch(f"{ORGANISATIONS}{mgd.pk}/", {"represents": [boxtel.pk]})
    assert response.status_code == 200, response.content
    assert [m["name"] for m in response.json()["represents"]] == ["Boxtel"]
    assert list(mgd.represents.all()) == [boxtel]


def test_put_replaces_the_editable_fields(as_user, coordinator, eindhoven, eindhoven_membership):
    response = as_user(coordinator).put(
        f"{ORGANISATIONS}{eindhoven.pk}/",
        {
            "kind": "municipality",
            "name": "Gemeente Eindhoven",
            "cbs_code": "GM0772",
            "inhabitants": 1,
        },
    )
    assert response.status_code == 200, response.content
    eindhoven.refresh_from_db()
    assert (eindhoven.name, eindhoven.inhabitants, eindhoven.slug) == (
        "Gemeente Eindhoven",
        1,
        "eindhoven",
    )


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"kind": "supplier"}, "kind", "read_only"),
        ({"cbs_code": "GM1"}, "cbs_code", "invalid_cbs_code"),
        ({"cbs_code": "GM0344"}, "cbs_code", "invalid"),
        ({"cbs_code": ""}, "cbs_code", "invalid"),
        ({"inhabitants": -1}, "inhabitants", "min_value"),
        ({"represents": [999999]}, "represents", "does_not_exist"),
    ],
)
def test_bad_correction_is_a_400_and_changes_nothing(
    as_user, coordinator, eindhoven, eindhoven_membership, utrecht, body, field, code
):
    before = everything()
    errors = problems(as_user(coordinator).patch(f"{ORGANISATIONS}{eindhoven.pk}/", body), 400)
    assert errors == {field: code}
    assert everything() == before


def test_a_municipality_represents_nobody(
    as_user, coordinator, eindhoven, eindhoven_membership, boxtel
):
    before = everything()
    response = as_user(coordinator).patch(
        f"{ORGANISATIONS}{eindhoven.pk}/", {"represents": [boxtel.pk]}
    )
    assert problems(response, 400) == {"represents": "invalid"}
    assert everything() == before


# --- Cooperatives ------------------------------------------------------------------------------
def test_anyone_lists_cooperatives_with_reach_and_policy(api_client, cooperative_world):
    response = api_client.get(COOPERATIVES)
    assert response.status_code == 200
    by_slug = {c["slug"]: c for c in response.json()["results"]}
    zob = by_slug["zuidoost-brabant"]
    # Eindhoven directly, Boxtel and Sint-Michielsgestel through MijnGemeenteDichtbij.
    assert zob["reach"] == 243_730 + 31_500 + 29_500
    assert zob["active_members"] == 2
    assert zob["contribution_kind"] == "per_inhabitant"
    assert Decimal(zob["contribution_amount"]) == Decimal("0.10")
    assert Decimal(zob["contribution_minimum"]) == 1000
    assert Decimal(zob["contribution_maximum"]) == 25000
    assert "joining_cost" not in zob
    assert by_slug["dimpact"]["reach"] == 0
    assert by_slug["dimpact"]["contribution_kind"] == "fixed"


def test_cooperative_shows_what_joining_costs_my_organisations(
    as_user, cooperative_world, mgd_person, person, eindhoven, mgd, gemboxx
):
    both = person("bea", eindhoven, mgd, gemboxx)
    zob = as_user(both).get(f"{COOPERATIVES}zuidoost-brabant/")
    assert zob.status_code == 200
    costs = {c["organisation"]["slug"]: Decimal(c["amount"]) for c in zob.json()["joining_cost"]}
    # A supplier cannot join, so it gets no quote; the joint arrangement pays for the
    # inhabitants of the municipalities it represents.
    assert costs == {"eindhoven": Decimal("24373.00"), "mijngemeentedichtbij": Decimal("6100.00")}
    dimpact = as_user(both).get(f"{COOPERATIVES}dimpact/").json()
    assert {Decimal(c["amount"]) for c in dimpact["joining_cost"]} == {Decimal("15000.00")}


def test_anonymous_gets_no_joining_cost(api_client, zob):
    response = api_client.get(f"{COOPERATIVES}{zob.slug}/")
    assert response.status_code == 200
    assert response.json()["joining_cost"] == []
    assert api_client.get(f"{COOPERATIVES}no-such-cooperative/").status_code == 404


def test_coordinator_changes_the_policy_and_it_is_audited(as_user, coordinator, zob):
    response = as_user(coordinator).patch(
        f"{COOPERATIVES}{zob.slug}/",
        {"contribution_kind": "fixed", "contribution_amount": "5000", "reason": "Simpler."},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["contribution_kind"] == "fixed"
    assert Decimal(body["contribution_amount"]) == 5000
    # Left out, so kept.
    assert Decimal(body["contribution_minimum"]) == 1000
    record = AuditRecord.objects.get(action="cooperative.policy_changed")
    assert record.reason == "Simpler."
    assert record.changes["contribution_kind"] == ["per_inhabitant", "fixed"]


def test_the_minimum_and_maximum_can_be_cleared(as_user, coordinator, zob):
    response = as_user(coordinator).patch(
        f"{COOPERATIVES}{zob.slug}/", {"contribution_minimum": None, "contribution_maximum": None}
    )
    assert response.status_code == 200, response.content
    zob.refresh_from_db()
    assert (zob.contribution_minimum, zob.contribution_maximum) == (None, None)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"contribution_amount": "-1"}, "contribution_amount", "min_value"),
        ({"contribution_minimum": "-0.01"}, "contribution_minimum", "min_value"),
        ({"contribution_maximum": "-10"}, "contribution_maximum", "min_value"),
        # Money is a string in JSON, exactly as written: a JSON number is refused.
        ({"contribution_maximum": 10}, "contribution_maximum", "invalid"),
        ({"contribution_amount": "a lot"}, "contribution_amount", "invalid"),
        ({"contribution_amount": "NaN"}, "contribution_amount", "invalid"),
        ({"contribution_amount": None}, "contribution_amount", "null"),
        ({"contribution_kind": "per_head"}, "contribution_kind", "invalid_choice"),
        ({"contribution_maximum": "500"}, "contribution_maximum", "invalid"),
        ({"contribution_minimum": "1e20"}, "contribution_minimum", "max_digits"),
    ],
)
def test_bad_policy_is_a_400_naming_the_field_and_changes_nothing(
    as_user, coordinator, zob, body, field, code
):
    before = everything()
    errors = problems(as_user(coordinator).patch(f"{COOPERATIVES}{zob.slug}/", body), 400)
    assert errors == {field: code}
    assert everything() == before


# --- Memberships -------------------------------------------------------------------------------
def names(response):
    assert response.status_code == 200, response.content
    return sorted(m["organisation"]["name"] for m in response.json()["results"])


def test_who_sees_which_memberships(
    api_client, as_user, cooperative_world, applicant_person, outsider_person, coordinator
):
    zob = cooperative_world["zob"]
    active = ["Eindhoven", "MijnGemeenteDichtbij"]
    assert names(api_client.get(memberships_url(zob))) == active
    assert names(as_user(outsider_person).get(memberships_url(zob))) == active
    assert names(as_user(applicant_person).get(memberships_url(zob))) == [*active, "Woerden"]
    assert names(as_user(coordinator).get(memberships_url(zob))) == [*active, "Woerden"]


def test_membership_shows_its_organisation_and_contribution(api_client, cooperative_world):
    zob, membership = cooperative_world["zob"], cooperative_world["eindhoven_membership"]
    body = api_client.get(memberships_url(zob, membership)).json()
    assert body["organisation"] == {
        "id": membership.organisation.pk,
        "slug": "eindhoven",
        "name": "Eindhoven",
        "kind": "municipality",
    }
    assert body["cooperative"] == "zuidoost-brabant"
    assert (body["role"], body["state"]) == ("pilot", "active")
    assert Decimal(body["contribution_due"]) == Decimal("24373.00")
    assert body["paid_on"] == localdate().isoformat()


def test_memberships_filter_by_state_and_role(as_user, cooperative_world, coordinator):
    zob = cooperative_world["zob"]
    client = as_user(coordinator)
    assert names(client.get(memberships_url(zob), {"state": "applied"})) == ["Woerden"]
    assert names(client.get(memberships_url(zob), {"role": "pilot"})) == [
        "Eindhoven",
        "MijnGemeenteDichtbij",
    ]
    assert names(client.get(memberships_url(zob), {"state": "active", "role": "member"})) == []
    assert problems(client.get(memberships_url(zob), {"state": "pending"}), 400) == {
        "state": "invalid_choice"
    }


def test_a_membership_is_only_found_under_its_own_cooperative(
    as_user, cooperative_world, coordinator, applicant_person, woerden
):
    """Zuidoost-Brabant's coordinator cannot reach Dimpact's application through zob's URL."""
    dimpact = cooperative_world["dimpact"]
    elsewhere = services.apply_for_membership(
        actor=applicant_person, cooperative=dimpact, organisation=woerden
    )
    zob = cooperative_world["zob"]
    before = everything()
    response = as_user(coordinator).post(memberships_url(zob, elsewhere, "approve"))
    assert problems(response, 404) == {None: "not_found"}
    assert as_user(coordinator).get(memberships_url(zob, elsewhere)).status_code == 404
    assert everything() == before


def test_memberships_of_an_unknown_cooperative_are_not_found(api_client):
    response = api_client.get("/api/v1/cooperatives/nowhere/memberships/")
    assert problems(response, 404) == {None: "not_found"}


def test_the_whole_life_cycle_through_the_api(as_user, zob, coordinator, outsider_person, utrecht):
    applied = as_user(outsider_person).post(
        memberships_url(zob), {"organisation": utrecht.pk, "role": "member"}
    )
    assert applied.status_code == 201, applied.content
    assert applied.json()["state"] == "applied"
    membership = Membership.objects.get(pk=applied.json()["id"])

    approved = as_user(coordinator).post(memberships_url(zob, membership, "approve"))
    assert approved.status_code == 200, approved.content
    # 370,000 inhabitants at € 0.10 make € 37,000, held at the maximum.
    assert Decimal(approved.json()["contribution_due"]) == Decimal("25000.00")
    assert approved.json()["state"] == "approved"

    paid = as_user(coordinator).post(
        memberships_url(zob, membership, "record-payment"),
        {"paid_on": localdate().isoformat(), "amount": "25000.00"},
    )
    assert paid.status_code == 200, paid.content
    assert paid.json()["state"] == "active"

    left = as_user(outsider_person).post(
        memberships_url(zob, membership, "leave"), {"reason": "Merged into a larger town."}
    )
    assert left.status_code == 200, left.content
    assert left.json()["state"] == "left"

    actions = list(
        AuditRecord.objects.filter(object_id=str(membership.pk), object_type__model="membership")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "membership.applied",
        "membership.approved",
        "membership.activated",
        "membership.left",
    ]


def test_rejection_needs_a_reason_and_is_final(as_user, cooperative_world, coordinator):
    zob, application = cooperative_world["zob"], cooperative_world["woerden_application"]
    client = as_user(coordinator)
    before = everything()
    assert problems(client.post(memberships_url(zob, application, "reject"), {}), 400) == {
        "reason": "required"
    }
    assert problems(
        client.post(memberships_url(zob, application, "reject"), {"reason": "   "}), 400
    ) == {"reason": "blank"}
    assert everything() == before

    rejected = client.post(memberships_url(zob, application, "reject"), {"reason": "Out of area."})
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["rejection_reason"] == "Out of area."

    before = everything()
    conflict = client.post(memberships_url(zob, application, "approve"))
    assert problems(conflict, 409) == {"state": "conflict"}
    assert "rejected" in conflict.json()["detail"]
    payment = client.post(
        memberships_url(zob, application, "record-payment"),
        {"paid_on": localdate().isoformat(), "amount": "5300.00"},
    )
    assert problems(payment, 409) == {"state": "conflict"}
    assert everything() == before


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("approve", {}),
        ("reject", {"reason": "No."}),
        ("record-payment", {"paid_on": "2025-01-01", "amount": "1000.00"}),
    ],
)
def test_illegal_transitions_answer_409_with_the_reason(
    as_user, cooperative_world, coordinator, action, body
):
    zob, active = cooperative_world["zob"], cooperative_world["eindhoven_membership"]
    before = everything()
    response = as_user(coordinator).post(memberships_url(zob, active, action), body)
    assert problems(response, 409) == {"state": "conflict"}
    assert "active" in response.json()["detail"]
    assert everything() == before


def test_leaving_an_application_is_a_conflict(as_user, cooperative_world, applicant_person):
    zob, application = cooperative_world["zob"], cooperative_world["woerden_application"]
    response = as_user(applicant_person).post(memberships_url(zob, application, "leave"))
    assert problems(response, 409) == {"state": "conflict"}


@pytest.fixture
def approved(cooperative_world, coordinator):
    return services.approve_membership(
        actor=coordinator, membership=cooperative_world["woerden_application"]
    )


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"paid_on": "TODAY", "amount": "5299.99"}, "amount", "invalid"),
        ({"paid_on": "TODAY", "amount": "five thousand"}, "amount", "invalid"),
        ({"paid_on": "TODAY", "amount": "-5300"}, "amount", "min_value"),
        ({"paid_on": "TODAY", "amount": "5300.001"}, "amount", "max_decimal_places"),
        ({"paid_on": "TODAY"}, "amount", "required"),
        ({"paid_on": "31-12-2025", "amount": "DUE"}, "paid_on", "invalid"),
        ({"paid_on": "2025-02-30", "amount": "DUE"}, "paid_on", "invalid"),
        ({"amount": "DUE"}, "paid_on", "required"),
        ({"paid_on": "TOMORROW", "amount": "DUE"}, "paid_on", "invalid"),
        ({"paid_on": "LONG AGO", "amount": "DUE"}, "paid_on", "invalid"),
    ],
)
def test_bad_payment_is_a_400_naming_the_field_and_writes_nothing(
    as_user, coordinator, approved, body, field, code
):
    today = timezone.localdate()
    words = {
        "TODAY": today.isoformat(),
        "TOMORROW": (today + timedelta(days=1)).isoformat(),
        "LONG AGO": (today - timedelta(days=400)).isoformat(),
        "DUE": str(approved.contribution_due),
    }
    body = {key: words.get(value, value) for key, value in body.items()}
    before = everything()
    response = as_user(coordinator).post(
        memberships_url(approved.cooperative, approved, "record-payment"), body
    )
    assert problems(response, 400) == {field: code}
    assert everything() == before


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"organisation": 999999}, "organisation", "does_not_exist"),
        ({"organisation": "utrecht"}, "organisation", "incorrect_type"),
        ({}, "organisation", "required"),
        ({"organisation": "UTRECHT", "role": "boss"}, "role", "invalid_choice"),
    ],
)
def test_bad_application_is_a_400_naming_the_field(
    as_user, zob, utrecht, outsider_person, body, field, code
):
    if body.get("organisation") == "UTRECHT":
        body["organisation"] = utrecht.pk
    before = everything()
    response = as_user(outsider_person).post(memberships_url(zob), body)
    assert problems(response, 400) == {field: code}
    assert everything() == before


def test_a_supplier_cannot_apply(as_user, zob, gemboxx, person):
    supplier_person = person("sam", gemboxx)
    before = everything()
    response = as_user(supplier_person).post(memberships_url(zob), {"organisation": gemboxx.pk})
    assert problems(response, 400) == {"organisation": "invalid"}
    assert everything() == before


def test_a_second_open_application_is_a_conflict(as_user, cooperative_world, applicant_person):
    zob, application = cooperative_world["zob"], cooperative_world["woerden_application"]
    before = everything()
    response = as_user(applicant_person).post(
        memberships_url(zob), {"organisation": application.organisation.pk}
    )
    assert problems(response, 409) == {"organisation": "conflict"}
    assert everything() == before


# --- Audit trail -------------------------------------------------------------------------------
def records(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_coordinator_reads_their_cooperatives_trail_only(as_user, cooperative_world, coordinator):
    results = records(as_user(coordinator).get(AUDIT, {"page_size": 100}))
    assert results
    assert {r["cooperative"] for r in results} == {"zuidoost-brabant"}
    assert AuditRecord.objects.exclude(cooperative=cooperative_world["zob"]).exists()
    first = results[-1]
    assert set(first) == {
        "id",
        "at",
        "actor",
        "actor_name",
        "organisation",
        "cooperative",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "reason",
    }


def test_administrator_reads_the_whole_trail(as_user, cooperative_world, admin):
    response = as_user(admin).get(AUDIT, {"page_size": 100})
    assert response.json()["count"] == AuditRecord.objects.count()


def test_audit_filters(as_user, cooperative_world, coordinator, member_person):
    client = as_user(coordinator)
    application = cooperative_world["woerden_application"]
    by_object = records(
        client.get(
            AUDIT, {"object_type": "cooperative.membership", "object_id": str(application.pk)}
        )
    )
    assert [(r["action"], r["object_type"]) for r in by_object] == [
        ("membership.applied", "cooperative.membership")
    ]
    assert by_object[0]["organisation"]["name"] == "Woerden"

    by_actor = records(client.get(AUDIT, {"actor": member_person.pk}))
    assert [r["action"] for r in by_actor] == ["membership.applied"]
    assert {r["actor"] for r in by_actor} == {member_person.pk}

    activated = records(client.get(AUDIT, {"action": "membership.activated"}))
    assert len(activated) == 2

    assert records(client.get(AUDIT, {"cooperative": "dimpact"})) == []
    assert records(client.get(AUDIT, {"object_type": "cooperative.nothing"})) == []


def test_audit_filters_by_date(as_user, cooperative_world, coordinator):
    client = as_user(coordinator)
    today = timezone.localdate()
    everything_visible = len(records(client.get(AUDIT, {"page_size": 100})))
    both = {"at_after": today.isoformat(), "at_before": today.isoformat(), "page_size": 100}
    assert len(records(client.get(AUDIT, both))) == everything_visible
    tomorrow = (today + timedelta(days=1)).isoformat()
    yesterday = (today - timedelta(days=1)).isoformat()
    assert records(client.get(AUDIT, {"at_after": tomorrow})) == []
    assert records(client.get(AUDIT, {"at_before": yesterday})) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"at_after": "yesterday"}, "at_after"),
        ({"at_before": "2025-13-01"}, "at_before"),
        ({"actor": "carla"}, "actor"),
        ({"actor": "1.5"}, "actor"),
        ({"object_type": "membership"}, "object_type"),
        ({"object_type": "cooperative.membership;drop"}, "object_type"),
    ],
)
def test_bad_audit_filter_is_a_400_naming_it(as_user, coordinator, query, field):
    errors = problems(as_user(coordinator).get(AUDIT, query), 400)
    assert list(errors) == [field]


def test_audit_record_shows_who_what_and_why(as_user, cooperative_world, coordinator):
    application = cooperative_world["woerden_application"]
    services.reject_membership(actor=coordinator, membership=application, reason="Out of area.")
    [record] = records(as_user(coordinator).get(AUDIT, {"action": "membership.rejected"}))
    assert record["actor"] == coordinator.pk
    assert record["actor_name"] == "Carla"
    assert record["reason"] == "Out of area."
    assert record["changes"]["state"] == ["applied", "rejected"]
    one = as_user(coordinator).get(f"{AUDIT}{record['id']}/")
    assert one.status_code == 200
    assert one.json() == record


# --- Me ------------------------------------------------------------------------------------------
def test_me_names_my_organisations_and_roles(as_user, cooperative_world, coordinator, person, mgd):
    eindhoven = cooperative_world["eindhoven_membership"].organisation
    both = person("bea", eindhoven, mgd)
    body = as_user(both).get("/api/v1/me/").json()
    assert body["organisations"] == [
        {
            "id": eindhoven.pk,
            "slug": "eindhoven",
            "name": "Eindhoven",
            "kind": "municipality",
            "role": "staff",
        },
        {
            "id": mgd.pk,
            "slug": mgd.slug,
            "name": "MijnGemeenteDichtbij",
            "kind": "joint_arrangement",
            "role": "staff",
        },
    ]
    assert body["roles"] == []
    assert body["coordinates"] == []
    assert body["products"] == []

    body = as_user(coordinator).get("/api/v1/me/").json()
    assert body["organisations"] == []
    assert [c["slug"] for c in body["coordinates"]] == ["zuidoost-brabant"]
    assert body["roles"] == [
        {
            "role": "coordinator",
            "object_type": "cooperative",
            "object": "zuidoost-brabant",
            "name": "ICT Samenwerking Zuidoost-Brabant",
        }
    ]


# --- Schema --------------------------------------------------------------------------------------
def test_schema_generates_and_validates_without_warnings(tmp_path):
    """Every endpoint is described well enough for drf-spectacular to raise no warning."""
    target = tmp_path / "schema.yml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "deelbaar.cli",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(target),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    schema = target.read_text()
    for path in (
        "/api/v1/organisations/",
        "/api/v1/cooperatives/{slug}/",
        "/api/v1/cooperatives/{cooperative_slug}/memberships/{id}/record-payment/",
        "/api/v1/audit/",
    ):
        assert f"{path}:" in schema

"""The permission matrix of the cooperative API.

For every endpoint and action, each person gets exactly the status in the table, and a refused
request changes nothing. The people (see conftest.py):

anonymous          not logged in
outsider           works for Utrecht, a member of nothing
member             works for Eindhoven, an active pilot of Zuidoost-Brabant (zob)
applicant          works for Woerden, which applied to zob
other_coordinator  coordinates Dimpact
coordinator        coordinates zob
admin              superuser: exactly the powers the rules give administrators

A membership someone may not see answers 404 (its existence is not disclosed); one they may
see but not act on, 403; anonymous writes, 401; a method the resource does not have, 405.
"""

from collections import defaultdict
from dataclasses import replace
from functools import partial

import pytest
from django.urls import resolve
from django.utils.timezone import localdate
from rest_framework.test import APIClient

from cooperative import selectors, services
from cooperative.api.urls import urlpatterns
from cooperative.models import AuditRecord, Cooperative, Membership, Organisation
from deelbaar.permissions import allowed
from tests.permissions import Case as MatrixCase
from tests.permissions import assert_permission_matrix, people_for
from tests.shared import share_per_module

pytestmark = pytest.mark.django_db

# Every test here meets the same world, built once for the module and copied for each test
# (tests/shared.py): building it took ~0.4 s a test, most of the module's time.
share_per_module(globals(), "cooperative_world", "applicant_person", "utrecht")

# Role -> fixture (None: anonymous).
ROLES = {
    "anonymous": None,
    "outsider": "outsider_person",
    "member": "member_person",
    "applicant": "applicant_person",
    "other_coordinator": "other_coordinator",
    "coordinator": "coordinator",
    "admin": "admin",
}
PEOPLE = list(ROLES)


def everyone(status, **overrides):
    """`status` for every person, except those named."""
    assert set(overrides) <= set(ROLES), f"no such people: {set(overrides) - set(ROLES)}"
    return {who: overrides.get(who, status) for who in ROLES}


def writers(status, **overrides):
    """Anonymous 401, everyone else `status` unless named."""
    return everyone(status, **{"anonymous": 401, **overrides})


def fill(template, values):
    """Put the world's ids into a body: "{utrecht}" becomes Utrecht's id."""
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, str) and template.startswith("{"):
        filled = template.format_map(values)
        return int(filled) if filled.isdigit() else filled
    return template


def Case(name, method, url, expected, body=None):
    """A row of the shared matrix from a URL (and body) naming the world's ids as "{utrecht}"."""
    return MatrixCase(
        name,
        method,
        partial(str.format_map, url),
        expected,
        partial(fill, body) if body else None,
    )


MEMBERSHIPS = "/api/v1/cooperatives/zuidoost-brabant/memberships/"
CASES = [
    # --- organisations: public to read; administrators and coordinators register and correct.
    Case("organisations-list", "get", "/api/v1/organisations/", everyone(200)),
    Case("organisation-read", "get", "/api/v1/organisations/{utrecht}/", everyone(200)),
    Case(
        "organisation-register",
        "post",
        "/api/v1/organisations/",
        writers(403, other_coordinator=201, coordinator=201, admin=201),
        {"kind": "municipality", "name": "Helmond", "cbs_code": "GM0794", "inhabitants": 95_000},
    ),
    # Corrected by administrators and the coordinators of a cooperative the organisation
    # belongs to (an open membership of its own or of one representing it): not by any
    # coordinator of any cooperative.
    Case(
        "organisation-patch-member-of-nothing",
        "patch",
        "/api/v1/organisations/{utrecht}/",
        writers(403, admin=200),
        {"inhabitants": 371_000},
    ),
    Case(
        "organisation-put-member-of-nothing",
        "put",
        "/api/v1/organisations/{utrecht}/",
        writers(403, admin=200),
        {"kind": "municipality", "name": "Utrecht", "cbs_code": "GM0344", "inhabitants": 1},
    ),
    Case(
        "organisation-patch-active-member",
        "patch",
        "/api/v1/organisations/{eindhoven}/",
        writers(403, coordinator=200, admin=200),
        {"inhabitants": 250_000},
    ),
    Case(
        "organisation-put-active-member",
        "put",
        "/api/v1/organisations/{eindhoven}/",
        writers(403, coordinator=200, admin=200),
        {"kind": "municipality", "name": "Eindhoven", "cbs_code": "GM0772", "inhabitants": 1},
    ),
    Case(
        "organisation-patch-applicant",
        "patch",
        "/api/v1/organisations/{woerden}/",
        writers(403, coordinator=200, admin=200),
        {"inhabitants": 54_000},
    ),
    Case(
        "organisation-patch-represented-by-a-member",
        "patch",
        "/api/v1/organisations/{boxtel}/",
        writers(403, coordinator=200, admin=200),
        {"inhabitants": 32_000},
    ),
    Case("organisation-delete", "delete", "/api/v1/organisations/{utrecht}/", writers(405)),
    # --- cooperatives: public to read; the coordinator (or an administrator) sets the policy.
    Case("cooperatives-list", "get", "/api/v1/cooperatives/", everyone(200)),
    Case("cooperative-read", "get", "/api/v1/cooperatives/zuidoost-brabant/", everyone(200)),
    Case(
        "cooperative-policy",
        "patch",
        "/api/v1/cooperatives/zuidoost-brabant/",
        writers(403, coordinator=200, admin=200),
        {"contribution_kind": "fixed", "contribution_amount": "5000"},
    ),
    Case(
        "other-cooperative-policy",
        "patch",
        "/api/v1/cooperatives/dimpact/",
        writers(403, other_coordinator=200, admin=200),
        {"contribution_amount": "12000"},
    ),
    Case(
        "cooperative-create",
        "post",
        "/api/v1/cooperatives/",
        writers(405),
        {"name": "Nieuw", "slug": "nieuw"},
    ),
    Case("cooperative-put", "put", "/api/v1/cooperatives/zuidoost-brabant/", writers(405)),
    Case("cooperative-delete", "delete", "/api/v1/cooperatives/zuidoost-brabant/", writers(405)),
    # --- memberships: active ones are public, the rest only for coordinator and applicant.
    Case("memberships-list", "get", MEMBERSHIPS, everyone(200)),
    Case("membership-read-active", "get", MEMBERSHIPS + "{eindhoven_membership}/", everyone(200)),
    Case(
        "membership-read-application",
        "get",
        MEMBERSHIPS + "{woerden_application}/",
        everyone(404, applicant=200, coordinator=200),
    ),
    Case(
        "membership-apply",
        "post",
        MEMBERSHIPS,
        writers(403, outsider=201),
        {"organisation": "{utrecht}", "role": "member"},
    ),
    Case(
        "membership-approve",
        "post",
        MEMBERSHIPS + "{woerden_application}/approve/",
        writers(404, applicant=403, coordinator=200),
    ),
    Case(
        "membership-approve-active",
        "post",
        MEMBERSHIPS + "{eindhoven_membership}/approve/",
        writers(403, coordinator=409),
    ),
    Case(
        "membership-reject",
        "post",
        MEMBERSHIPS + "{woerden_application}/reject/",
        writers(404, applicant=403, coordinator=200),
        {"reason": "Outside the region."},
    ),
    Case(
        "membership-reject-active",
        "post",
        MEMBERSHIPS + "{eindhoven_membership}/reject/",
        writers(403, coordinator=409),
        {"reason": "Too late."},
    ),
    Case(
        "membership-record-payment",
        "post",
        MEMBERSHIPS + "{woerden_approved}/record-payment/",
        writers(404, applicant=403, coordinator=200),
        {"paid_on": "{today}", "amount": "5300.00"},
    ),
    Case(
        "membership-record-payment-active",
        "post",
        MEMBERSHIPS + "{eindhoven_membership}/record-payment/",
        writers(403, coordinator=409),
        {"paid_on": "{today}", "amount": "24373.00"},
    ),
    Case(
        "membership-leave",
        "post",
        MEMBERSHIPS + "{eindhoven_membership}/leave/",
        writers(403, member=200, coordinator=200),
        {"reason": "Going our own way."},
    ),
    Case(
        "membership-leave-application",
        "post",
        MEMBERSHIPS + "{woerden_application}/leave/",
        writers(404, applicant=409, coordinator=409),
    ),
    Case(
        "membership-put",
        "put",
        MEMBERSHIPS + "{eindhoven_membership}/",
        writers(405),
        {"state": "left"},
    ),
    Case(
        "membership-delete",
        "delete",
        MEMBERSHIPS + "{eindhoven_membership}/",
        writers(405),
    ),
    Case(
        "other-cooperative-memberships",
        "get",
        "/api/v1/cooperatives/dimpact/memberships/",
        everyone(200),
    ),
    # --- audit trail: coordinators read their cooperatives' records, administrators all.
    Case(
        "audit-list",
        "get",
        "/api/v1/audit/",
        writers(403, other_coordinator=200, coordinator=200, admin=200),
    ),
    Case(
        "audit-export",
        "get",
        "/api/v1/audit/export/",
        writers(403, other_coordinator=200, coordinator=200, admin=200),
    ),
    Case(
        "audit-read",
        "get",
        "/api/v1/audit/{zob_record}/",
        writers(403, other_coordinator=404, coordinator=200, admin=200),
    ),
    *[
        Case(
            f"audit-{method}",
            method,
            "/api/v1/audit/{zob_record}/",
            writers(403, other_coordinator=405, coordinator=405, admin=405),
            {"reason": "rewritten"},
        )
        for method in ("put", "patch", "delete")
    ],
    Case(
        "audit-post",
        "post",
        "/api/v1/audit/",
        writers(403, other_coordinator=405, coordinator=405, admin=405),
        {"action": "forged"},
    ),
    # --- me
    Case("me", "get", "/api/v1/me/", writers(200)),
]


def everything():
    return (
        list(Organisation.objects.values()),
        list(Organisation.represents.through.objects.values()),
        list(Cooperative.objects.values()),
        list(Membership.objects.values()),
        list(AuditRecord.objects.values("id")),
    )


class Ids(dict):
    """The ids the cases' URLs and bodies name. Woerden's application is approved (so it awaits
    payment) only when a case names "{woerden_approved}"; the shared runner makes a case's URL
    and body once, before any role's request, so every role meets that same world."""

    def __init__(self, world, utrecht):
        super().__init__(
            utrecht=utrecht.pk,
            eindhoven=world["eindhoven_membership"].organisation_id,
            woerden=world["woerden_application"].organisation_id,
            boxtel=world["mgd_membership"].organisation.represents.get(name="Boxtel").pk,
            eindhoven_membership=world["eindhoven_membership"].pk,
            woerden_application=world["woerden_application"].pk,
            zob_record=AuditRecord.objects.filter(cooperative=world["zob"]).latest("id").pk,
            today=localdate().isoformat(),
        )
        self.world = world

    def __missing__(self, key):
        if key != "woerden_approved":
            raise KeyError(key)
        approved = services.approve_membership(
            actor=self.world["coordinator"], membership=self.world["woerden_application"]
        )
        assert approved.contribution_due == 5300  # Woerden: 53,000 inhabitants at € 0.10
        self[key] = approved.pk
        return approved.pk


# One test per case and person (the ids name both), each run by the shared runner with this
# module's state: a refusal must change nothing, an allowed write must change something.
# `who`, not `person`: that name is the fixture that makes people.
@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_permission_matrix(request, cooperative_world, applicant_person, utrecht, case, who):
    row = replace(case, expected={who: case.expected[who]})
    people = people_for(request, {who: ROLES[who]})
    assert_permission_matrix(people, [row], Ids(cooperative_world, utrecht), state=everything)


def test_the_matrix_covers_every_route_of_the_cooperative_api():
    """A new route must get rows in the matrix."""
    covered = {resolve(case.url(defaultdict(lambda: 1))).url_name for case in CASES}
    routes = {pattern.name for pattern in urlpatterns}
    assert len(routes) == 14
    assert routes <= covered, f"not in the matrix: {routes - covered}"


@pytest.mark.parametrize("who", [p for p in PEOPLE if p != "anonymous"])
def test_list_visibility_matches_the_view_rule(request, cooperative_world, applicant_person, who):
    """The API finds memberships through the selector: it must agree with the rule
    cooperative.view_membership, so what is not viewable is not found."""
    user = request.getfixturevalue(ROLES[who])
    zob = cooperative_world["zob"]
    visible = set(selectors.memberships_of(zob, visible_to=user))
    for membership in Membership.objects.filter(cooperative=zob):
        assert (membership in visible) == allowed(user, "cooperative.view_membership", membership)


@pytest.mark.parametrize(
    ("who", "target", "action"),
    [
        ("applicant", "woerden_application", "reject"),
        ("member", "eindhoven_membership", "record-payment"),
        ("other_coordinator", "eindhoven_membership", "reject"),
        ("outsider", "eindhoven_membership", "record-payment"),
    ],
)
def test_refusal_comes_before_validation(
    request, cooperative_world, applicant_person, who, target, action
):
    """Someone who may not act is told so, not how to make their input valid."""
    client = APIClient()
    client.force_authenticate(request.getfixturevalue(ROLES[who]))
    membership = cooperative_world[target]
    before = everything()
    response = client.post(f"{MEMBERSHIPS}{membership.pk}/{action}/", {"amount": "lots"})
    assert response.status_code == 403, response.content
    assert everything() == before


@pytest.mark.parametrize(
    ("who", "method", "url", "body"),
    [
        ("member", "post", "/api/v1/organisations/", {"kind": "village"}),
        ("outsider", "patch", "/api/v1/organisations/{utrecht}/", {"cbs_code": "bad"}),
        (
            "other_coordinator",
            "patch",
            "/api/v1/cooperatives/zuidoost-brabant/",
            {"contribution_amount": "-1"},
        ),
    ],
)
def test_refusal_comes_before_validation_for_organisations_and_policy(
    request, cooperative_world, utrecht, who, method, url, body
):
    client = APIClient()
    client.force_authenticate(request.getfixturevalue(ROLES[who]))
    before = everything()
    response = getattr(client, method)(url.format(utrecht=utrecht.pk), body)
    assert response.status_code == 403, response.content
    assert everything() == before

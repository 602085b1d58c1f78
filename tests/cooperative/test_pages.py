"""The cooperative pages through Django's test client: who sees what, bad input, query counts.

Text is checked in English (the source language), so these tests hold whatever the Dutch
catalogue says; numbers are then formatted the English way (25,000.00).
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import localdate

from cooperative import services
from cooperative.models import (
    AuditRecord,
    Cooperative,
    Membership,
    MembershipState,
    Organisation,
    OrganisationKind,
)
from tests.shared import share_per_module

pytestmark = pytest.mark.django_db

# All but one test here (which reads the home page only) meet the same world: it is built once
# for the module and copied for each test (tests/shared.py).
share_per_module(globals(), "cooperative_world")

LOGIN = "/accounts/login/"
PEOPLE = ["anonymous", "outsider_person", "member_person", "other_coordinator", "coordinator"]


@pytest.fixture
def as_person(cooperative_world):
    """A test client for one of the people of the cooperative world (or nobody), in English."""

    def make(who):
        client = Client(headers={"accept-language": "en"})
        if who != "anonymous":
            client.force_login(cooperative_world[who])
        return client

    return make


def url(name, cooperative, *args):
    return reverse(f"cooperative:{name}", args=[cooperative.slug, *args])


def state_of_the_world():
    """Everything a refused request must leave alone."""
    return (
        AuditRecord.objects.count(),
        sorted(
            Membership.objects.values_list(
                "pk", "state", "contribution_due", "paid_on", "rejection_reason"
            )
        ),
    )


def assert_redirects_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")


# --- Who may see which page ------------------------------------------------------------------
PAGE_MATRIX = {
    # page: expected status for anonymous, outsider, member, other coordinator, coordinator
    "list": (200, 200, 200, 200, 200),
    "detail": (200, 200, 200, 200, 200),
    "join": (302, 200, 200, 200, 200),
    "queue": (302, 403, 403, 403, 200),
    "audit": (302, 403, 403, 403, 200),
}


@pytest.mark.parametrize("page", PAGE_MATRIX)
@pytest.mark.parametrize("who", PEOPLE)
def test_page_permission_matrix(as_person, cooperative_world, page, who):
    zob = cooperative_world["zob"]
    expected = PAGE_MATRIX[page][PEOPLE.index(who)]
    address = reverse("cooperative:list") if page == "list" else url(page, zob)
    response = as_person(who).get(address)
    if expected == 302:
        assert_redirects_to_login(response)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("page", ["detail", "join", "queue", "audit"])
def test_unknown_cooperative_is_a_404(as_person, page):
    missing = Cooperative(slug="no-such-cooperative")
    assert as_person("coordinator").get(url(page, missing)).status_code == 404


def test_administrator_reads_the_audit_trail_but_does_not_decide(cooperative_world):
    client = Client()
    client.force_login(cooperative_world["admin"])
    zob = cooperative_world["zob"]
    assert client.get(url("audit", zob)).status_code == 200
    # The rules give deciding on memberships to the cooperative's coordinators only.
    assert client.get(url("queue", zob)).status_code == 403


# --- Who may do what in the queue ------------------------------------------------------------
@pytest.fixture
def approved_woerden(cooperative_world):
    return services.approve_membership(
        actor=cooperative_world["coordinator"], membership=cooperative_world["woerden_application"]
    )


def action_request(cooperative_world, action):
    """The URL, the POST data and the state the membership reaches when the action succeeds."""
    zob = cooperative_world["zob"]
    if action == "record_payment":
        membership = services.approve_membership(
            actor=cooperative_world["coordinator"],
            membership=cooperative_world["woerden_application"],
        )
        data = {"paid_on": localdate().isoformat(), "amount": str(membership.contribution_due)}
        return url(action, zob, membership.pk), data, MembershipState.ACTIVE
    membership = cooperative_world["woerden_application"]
    if action == "reject":
        return url(action, zob, membership.pk), {"reason": "No budget"}, MembershipState.REJECTED
    return url(action, zob, membership.pk), {}, MembershipState.APPROVED


ACTION_MATRIX = {
    "anonymous": 302,
    "outsider_person": 403,
    "member_person": 403,
    "other_coordinator": 403,
    "coordinator": 302,
}


@pytest.mark.parametrize("action", ["approve", "reject", "record_payment"])
@pytest.mark.parametrize("who", PEOPLE)
def test_queue_action_permission_matrix(as_person, cooperative_world, action, who):
    address, data, reached = action_request(cooperative_world, action)
    before = state_of_the_world()
    response = as_person(who).post(address, data)
    assert response.status_code == ACTION_MATRIX[who]
    membership = Membership.objects.get(organisation__name="Woerden")
    if who == "coordinator":
        assert response["Location"] == url("queue", cooperative_world["zob"])
        assert membership.state == reached
        assert AuditRecord.objects.count() == before[0] + 1
    else:
        if who == "anonymous":
            assert_redirects_to_login(response)
        assert state_of_the_world() == before


@pytest.mark.parametrize("action", ["approve", "reject", "record_payment"])
def test_a_membership_of_another_cooperative_is_not_found(as_person, cooperative_world, action):
    """Dimpact's coordinator cannot reach Zuidoost-Brabant's memberships through Dimpact."""
    address, data, _ = action_request(cooperative_world, action)
    address = address.replace("/zuidoost-brabant/", "/dimpact/")
    before = state_of_the_world()
    assert as_person("other_coordinator").post(address, data).status_code == 404
    assert state_of_the_world() == before


def test_queue_actions_take_a_post(as_person, cooperative_world):
    address, _, _ = action_request(cooperative_world, "approve")
    assert as_person("coordinator").get(address).status_code == 405


# --- Joining ---------------------------------------------------------------------------------
JOIN_MATRIX = {
    # who: (status, does a new membership exist afterwards)
    "anonymous": (302, False),
    "outsider_person": (302, True),  # Utrecht is not a member yet: the application goes in
    "member_person": (200, False),  # Eindhoven is already an active member
    "other_coordinator": (200, False),  # works for no organisation
    "coordinator": (200, False),
}


@pytest.mark.parametrize("who", PEOPLE)
def test_join_permission_matrix(as_person, cooperative_world, utrecht, eindhoven, who):
    zob = cooperative_world["zob"]
    own = {"member_person": eindhoven}.get(who, utrecht)
    before = state_of_the_world()
    response = as_person(who).post(url("join", zob), {"organisation": own.pk, "role": "member"})
    status, applied = JOIN_MATRIX[who]
    assert response.status_code == status
    if who == "anonymous":
        assert_redirects_to_login(response)
    if applied:
        assert response["Location"] == url("detail", zob)
        membership = Membership.objects.get(organisation=utrecht, cooperative=zob)
        assert membership.state == MembershipState.APPLIED
        assert membership.role == "member"
    else:
        assert state_of_the_world() == before


def test_join_page_offers_only_the_persons_own_organisations(as_person, cooperative_world):
    html = as_person("outsider_person").get(url("join", cooperative_world["zob"])).content.decode()
    options = re.findall(r'<option value="(\d+)"', html)
    assert [Organisation.objects.get(pk=pk).name for pk in options] == ["Utrecht"]
    # What it costs, before applying: 370,000 times € 0.10 held at the maximum of € 25,000.
    assert "25,000.00" in html
    assert 'name="role"' in html


def test_join_page_preselects_the_organisation_from_the_link(as_person, cooperative_world, utrecht):
    zob = cooperative_world["zob"]
    html = as_person("outsider_person").get(f"{url('join', zob)}?organisation={utrecht.pk}")
    assert f'<option value="{utrecht.pk}" selected>' in html.content.decode()


def test_join_page_explains_when_a_person_has_no_organisation(as_person, cooperative_world):
    response = as_person("coordinator").get(url("join", cooperative_world["zob"]))
    html = response.content.decode()
    assert 'id="no-organisation"' in html
    assert "You are not linked to an organisation" in html
    assert 'id="join-form"' not in html


def test_join_form_is_hidden_once_the_organisation_applied(as_person, cooperative_world, utrecht):
    """Woerden is not offered the form again after applying: it sees where it stands."""
    client = as_person("outsider_person")
    zob = cooperative_world["zob"]
    assert 'id="join-form"' in client.get(url("join", zob)).content.decode()
    client.post(url("join", zob), {"organisation": utrecht.pk, "role": "member"})
    html = client.get(url("join", zob)).content.decode()
    assert 'id="join-form"' not in html
    state = re.search(r'id="join-state">(.*?)</div>\s*</div>\s*</div>', html, re.S)
    assert state and 'data-state="applied"' in state.group(1)
    assert "Utrecht applied on" in state.group(1)


def test_applying_for_another_persons_organisation_is_refused(
    as_person, cooperative_world, woerden, utrecht
):
    """Tampering with the POST: Eva of Eindhoven sends Utrecht's id."""
    before = state_of_the_world()
    response = as_person("member_person").post(
        url("join", cooperative_world["zob"]), {"organisation": utrecht.pk, "role": "member"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose one of your own organisations." in html
    assert 'aria-invalid="true" aria-describedby="id_organisation-error"' in html
    assert 'id="id_organisation-error"' in html
    assert state_of_the_world() == before


def test_applying_twice_is_refused_beside_the_field(as_person, cooperative_world, utrecht):
    client = as_person("outsider_person")
    zob = cooperative_world["zob"]
    assert (
        client.post(url("join", zob), {"organisation": utrecht.pk, "role": "member"}).status_code
        == 302
    )
    before = state_of_the_world()
    response = client.post(url("join", zob), {"organisation": utrecht.pk, "role": "pilot"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Utrecht already has an open membership of ICT Samenwerking Zuidoost-Brabant." in html
    assert 'id="id_organisation-error"' in html
    assert 'id="error-summary"' in html
    assert state_of_the_world() == before
    assert Membership.objects.filter(organisation=utrecht).count() == 1


def test_a_supplier_cannot_join(as_person, cooperative_world, gemboxx, person):
    client = Client(headers={"accept-language": "en"})
    client.force_login(person("gert", gemboxx))
    before = state_of_the_world()
    response = client.post(
        url("join", cooperative_world["zob"]), {"organisation": gemboxx.pk, "role": "member"}
    )
    assert response.status_code == 200
    assert "cannot become a member" in response.content.decode()
    assert state_of_the_world() == before


def test_join_without_a_role_is_explained(as_person, cooperative_world, utrecht):
    before = state_of_the_world()
    response = as_person("outsider_person").post(
        url("join", cooperative_world["zob"]), {"organisation": utrecht.pk, "role": "king"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_role-error"' in html
    assert state_of_the_world() == before


# --- The public page -------------------------------------------------------------------------
def test_public_page_shows_reach_members_and_the_policy(as_person, cooperative_world):
    html = as_person("anonymous").get(url("detail", cooperative_world["zob"])).content.decode()
    assert "Gemeenten bouwen samen." in html
    assert 'data-reach="304730"' in html  # Eindhoven + Boxtel + Sint-Michielsgestel
    assert "304,730 inhabitants" in html
    assert 'data-organisation="eindhoven"' in html
    assert 'data-organisation="mijngemeentedichtbij"' in html
    assert "on behalf of Boxtel, Sint-Michielsgestel" in html
    assert 'data-inhabitants="61000"' in html  # the joint arrangement speaks for 31,500 + 29,500
    # Woerden only applied: not on the public page.
    assert 'data-organisation="woerden"' not in html
    assert "€ 0.10 per inhabitant" in html
    assert "at least € 1,000.00" in html
    assert "at most € 25,000.00" in html
    assert 'id="login-for-quote"' in html
    assert 'id="coordinator-links"' not in html


def test_public_page_quotes_each_of_the_persons_organisations(as_person, cooperative_world):
    zob = cooperative_world["zob"]
    outsider = as_person("outsider_person").get(url("detail", zob)).content.decode()
    assert 'data-amount="25000.00"' in outsider
    assert f'href="{url("join", zob)}?organisation=' in outsider
    member = as_person("member_person").get(url("detail", zob)).content.decode()
    assert 'data-amount="24373.00"' in member  # 243,730 times € 0.10
    assert "Active" in member
    assert 'class="utrecht-link join-link"' not in member


def test_fixed_policy_is_put_in_words(as_person, cooperative_world):
    html = as_person("anonymous").get(url("detail", cooperative_world["dimpact"])).content.decode()
    assert "one-time joining contribution of € 15,000.00" in html
    assert "This cooperative has no active members yet." in html


@pytest.mark.parametrize("who", PEOPLE)
def test_only_coordinators_see_the_coordinator_links(as_person, cooperative_world, who):
    html = as_person(who).get(url("detail", cooperative_world["zob"])).content.decode()
    zob = cooperative_world["zob"]
    shown = who == "coordinator"
    assert (f'href="{url("queue", zob)}"' in html) is shown
    assert (f'href="{url("audit", zob)}"' in html) is shown


def test_list_shows_each_cooperative_with_reach_and_members(as_person, cooperative_world):
    html = as_person("anonymous").get(reverse("cooperative:list")).content.decode()
    assert 'data-reach="304730"' in html
    assert "304,730" in html
    assert f'href="{url("detail", cooperative_world["dimpact"])}"' in html


def test_navigation_links_to_the_cooperatives(client):
    html = client.get("/").content.decode()
    assert f'href="{reverse("cooperative:list")}"' in html


# --- The queue: decisions and bad input ------------------------------------------------------
def test_queue_lists_applications_and_awaited_payments(
    as_person, cooperative_world, approved_woerden
):
    services.apply_for_membership(
        actor=cooperative_world["outsider_person"],
        cooperative=cooperative_world["zob"],
        organisation=Organisation.objects.get(name="Utrecht"),
    )
    html = as_person("coordinator").get(url("queue", cooperative_world["zob"])).content.decode()
    assert 'data-organisation="utrecht" data-state="applied"' in html
    assert 'data-organisation="woerden" data-state="approved"' in html
    assert 'data-organisation="eindhoven"' not in html  # active: nothing to do
    # The payment form comes prefilled with the contribution due (53,000 times € 0.10).
    assert f'id="m{approved_woerden.pk}-amount" value="5300.00"' in html
    assert f'id="m{approved_woerden.pk}-paid_on" value="{localdate().isoformat()}"' in html


def test_approving_says_what_is_due(as_person, cooperative_world):
    application = cooperative_world["woerden_application"]
    client = as_person("coordinator")
    response = client.post(url("approve", cooperative_world["zob"], application.pk), follow=True)
    assert "Woerden is approved; the contribution due is € 5,300.00." in response.content.decode()
    application.refresh_from_db()
    assert application.contribution_due == Decimal("5300.00")


def assert_refused_beside(response, field_id, message, before):
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'aria-invalid="true" aria-describedby="{field_id}-error"' in html
    assert f'id="{field_id}-error"' in html
    assert f'href="#{field_id}"' in html  # the summary above the table links to the field
    assert state_of_the_world() == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_without_a_reason_is_refused(as_person, cooperative_world, reason):
    application = cooperative_world["woerden_application"]
    before = state_of_the_world()
    response = as_person("coordinator").post(
        url("reject", cooperative_world["zob"], application.pk), {"reason": reason}
    )
    assert_refused_beside(
        response, f"m{application.pk}-reason", "Give the reason for the rejection.", before
    )


def test_rejecting_records_the_reason(as_person, cooperative_world):
    application = cooperative_world["woerden_application"]
    response = as_person("coordinator").post(
        url("reject", cooperative_world["zob"], application.pk),
        {"reason": "Geen budget dit jaar"},
        follow=True,
    )
    assert "The application of Woerden is rejected." in response.content.decode()
    application.refresh_from_db()
    assert application.state == MembershipState.REJECTED
    assert application.rejection_reason == "Geen budget dit jaar"


@pytest.mark.parametrize(
    ("paid_on", "amount", "field", "message"),
    [
        ("today", "5000.00", "amount", "must equal the contribution due (€ 5300.00)"),
        ("today", "lots", "amount", "Enter the amount paid in euros, such as 1250.00."),
        ("today", "-5300", "amount", "An amount cannot be negative."),
        ("today", "", "amount", "Enter the amount paid in euros, such as 1250.00."),
        ("tomorrow", "5300.00", "paid_on", "The date of payment cannot be in the future."),
        ("", "5300.00", "paid_on", "Give the date of payment."),
        ("31-02-2025", "5300.00", "paid_on", "Enter the date of payment as a date"),
    ],
)
def test_bad_payments_are_refused(
    as_person, cooperative_world, approved_woerden, paid_on, amount, field, message
):
    day = {"today": localdate(), "tomorrow": localdate() + timedelta(days=1)}.get(paid_on)
    before = state_of_the_world()
    response = as_person("coordinator").post(
        url("record_payment", cooperative_world["zob"], approved_woerden.pk),
        {"paid_on": day.isoformat() if day else paid_on, "amount": amount},
    )
    assert_refused_beside(response, f"m{approved_woerden.pk}-{field}", message, before)


def test_payment_in_dutch_notation_is_understood(cooperative_world, approved_woerden):
    client = Client()  # Dutch, the default
    client.force_login(cooperative_world["coordinator"])
    response = client.post(
        url("record_payment", cooperative_world["zob"], approved_woerden.pk),
        {"paid_on": localdate().isoformat(), "amount": "5300,00"},
    )
    assert response.status_code == 302
    approved_woerden.refresh_from_db()
    assert approved_woerden.state == MembershipState.ACTIVE
    assert approved_woerden.paid_amount == Decimal("5300.00")


def test_an_illegal_transition_is_explained_and_changes_nothing(as_person, cooperative_world):
    """Approving a membership that is already active (a stale page, a second click)."""
    active = cooperative_world["eindhoven_membership"]
    before = state_of_the_world()
    response = as_person("coordinator").post(
        url("approve", cooperative_world["zob"], active.pk), follow=True
    )
    assert response.status_code == 200
    assert "Only an application can be approved; this membership is active." in (
        response.content.decode()
    )
    assert state_of_the_world() == before


# --- The queue with htmx: the row is swapped, focus follows ------------------------------------
def htmx_post(client, address, data=None):
    return client.post(address, data or {}, headers={"HX-Request": "true"})


def test_htmx_approval_answers_the_new_row_and_the_message(as_person, cooperative_world):
    application = cooperative_world["woerden_application"]
    response = htmx_post(
        as_person("coordinator"), url("approve", cooperative_world["zob"], application.pk)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(
        f'<tr class="utrecht-table__row" id="membership-{application.pk}"'
    )
    assert f'id="pay-{application.pk}"' in html  # the row now offers to record the payment
    assert 'id="queue-messages" tabindex="-1" hx-swap-oob="true"' in html
    assert "Woerden is approved" in html
    assert "<html" not in html
    assert response["HX-Trigger-After-Settle"] == '{"deelbaar:focus": "queue-messages"}'


def test_htmx_rejection_removes_the_row(as_person, cooperative_world):
    application = cooperative_world["woerden_application"]
    response = htmx_post(
        as_person("coordinator"),
        url("reject", cooperative_world["zob"], application.pk),
        {"reason": "Geen budget"},
    )
    html = response.content.decode()
    assert "<tr" not in html
    assert "The application of Woerden is rejected." in html


def test_htmx_error_answers_the_row_with_the_error_and_focuses_the_field(
    as_person, cooperative_world
):
    application = cooperative_world["woerden_application"]
    before = state_of_the_world()
    response = htmx_post(
        as_person("coordinator"),
        url("reject", cooperative_world["zob"], application.pk),
        {"reason": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only successful answers
    assert f'id="m{application.pk}-reason-error"' in html
    assert (
        response["HX-Trigger-After-Settle"] == f'{{"deelbaar:focus": "m{application.pk}-reason"}}'
    )
    assert state_of_the_world() == before


# --- The audit trail page --------------------------------------------------------------------
def test_audit_page_shows_this_cooperatives_changes(as_person, cooperative_world):
    services.apply_for_membership(
        actor=cooperative_world["outsider_person"],
        cooperative=cooperative_world["dimpact"],
        organisation=Organisation.objects.get(name="Utrecht"),
    )
    html = as_person("coordinator").get(url("audit", cooperative_world["zob"])).content.decode()
    assert "<caption" in html
    assert '<th class="utrecht-table__header-cell" scope="col">Changes</th>' in html
    assert 'data-action="membership.approved"' in html
    assert 'data-action="membership.activated"' in html
    # Values in words: a state by its label, an amount as money (the trail in words, trail.py).
    assert '<li data-field="state">State: from applied to approved, awaiting payment</li>' in html
    assert '<li data-field="contribution_due">Contribution due (€): 24,373.00</li>' in html
    # Dimpact's application is not Zuidoost-Brabant's business.
    assert "Utrecht in Dimpact" not in html


def test_audit_page_filters(as_person, cooperative_world):
    zob = cooperative_world["zob"]
    client = as_person("coordinator")
    html = client.get(url("audit", zob), {"action": "membership.applied"}).content.decode()
    assert set(re.findall(r'data-action="([^"]+)"', html)) == {"membership.applied"}
    actor = cooperative_world["member_person"]
    html = client.get(url("audit", zob), {"actor": actor.pk}).content.decode()
    assert re.findall(r'data-action="([^"]+)"', html) == ["membership.applied"]
    html = client.get(url("audit", zob), {"date_from": localdate() + timedelta(days=1)})
    assert "No records match this filter." in html.content.decode()
    html = client.get(url("audit", zob), {"date_to": localdate().isoformat()}).content.decode()
    assert 'data-action="membership.applied"' in html


def test_audit_filter_explains_bad_dates(as_person, cooperative_world):
    client = as_person("coordinator")
    zob = cooperative_world["zob"]
    response = client.get(url("audit", zob), {"date_from": "someday"})
    html = response.content.decode()
    assert response.status_code == 400  # as the catalogue: the filter is shown, not applied
    assert 'aria-describedby="id_date_from-error"' in html
    assert "Enter a date" in html
    response = client.get(url("audit", zob), {"date_from": "2025-03-02", "date_to": "2025-03-01"})
    assert "The end date cannot be before the start date." in response.content.decode()


def test_audit_page_says_a_bad_filter_is_not_applied(as_person, cooperative_world):
    """Bad filter values are not silently ignored: 400, as the catalogue's page answers a bad
    search (and the API a bad filter), with the error summary ("not applied") linking to each
    field's error; the valid filters still apply, the bad ones do not."""
    client = as_person("coordinator")
    zob = cooperative_world["zob"]
    response = client.get(
        url("audit", zob), {"actor": "abc", "object_type": "zzz", "date_from": "2026-13-45"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This filter is not right and is not applied:" in html
    for name in ("actor", "object_type", "date_from"):
        assert f'data-error-field="{name}"' in html and f'href="#id_{name}"' in html
    assert "data-action=" in html  # the trail, unfiltered
    response = client.get(url("audit", zob), {"date_from": "2025-03-02", "date_to": "2025-03-01"})
    assert response.status_code == 400
    assert 'data-error-field="date_to"' in response.content.decode()
    assert client.get(url("audit", zob), {"date_to": "2025-03-01"}).status_code == 200


def test_audit_page_is_paginated_by_fifty(as_person, cooperative_world):
    zob = cooperative_world["zob"]
    template = AuditRecord.objects.filter(cooperative=zob).first()
    AuditRecord.objects.bulk_create(
        AuditRecord(
            actor=template.actor,
            actor_name=template.actor_name,
            cooperative=zob,
            action="test.bulk",
            object_type=template.object_type,
            object_id=template.object_id,
            object_repr=template.object_repr,
        )
        for _ in range(70)
    )
    total = AuditRecord.objects.filter(cooperative=zob).count()
    client = as_person("coordinator")
    first = client.get(url("audit", zob)).content.decode()
    assert len(re.findall(r'<tr class="utrecht-table__row" id="audit-', first)) == 50
    assert f"{total} records, newest first" in first
    assert 'id="next-page" href="?page=2"' in first
    filtered = client.get(url("audit", zob), {"action": "test.bulk"}).content.decode()
    assert 'href="?action=test.bulk&amp;page=2"' in filtered
    second = client.get(url("audit", zob), {"action": "test.bulk", "page": 2}).content.decode()
    assert len(re.findall(r'<tr class="utrecht-table__row" id="audit-', second)) == 20
    # A page beyond the last shows the last page rather than failing.
    assert client.get(url("audit", zob), {"page": 999}).status_code == 200


# --- Queries that do not grow with the data ----------------------------------------------------
def add_active_members(cooperative, count):
    """`count` active members in bulk: municipalities, and every tenth a joint arrangement
    representing two more."""
    start = 9000 - count
    organisations = Organisation.objects.bulk_create(
        Organisation(
            kind=OrganisationKind.MUNICIPALITY,
            name=f"Gemeente {start + i}",
            slug=f"gemeente-{start + i}",
            cbs_code=f"GM{start + i:04d}",
            inhabitants=10_000 + i,
        )
        for i in range(count)
    )
    members = []
    represents = Organisation.represents.through
    links = []
    for i, organisation in enumerate(organisations):
        if i % 10 == 0:
            arrangement = Organisation.objects.create(
                kind=OrganisationKind.JOINT_ARRANGEMENT,
                name=f"Samenwerking {i}",
                slug=f"samenwerking-{start + i}",
            )
            links += [
                represents(from_organisation=arrangement, to_organisation=organisation),
                represents(from_organisation=arrangement, to_organisation=organisations[i + 1]),
            ]
            members.append(arrangement)
        else:
            members.append(organisation)
    represents.objects.bulk_create(links)
    Membership.objects.bulk_create(
        Membership(
            cooperative=cooperative,
            organisation=organisation,
            state=MembershipState.ACTIVE,
            contribution_due=Decimal("1000.00"),
            paid_on=localdate(),
            paid_amount=Decimal("1000.00"),
        )
        for organisation in members
    )


# The most queries each page may take, whatever the number of members.
QUERY_BOUND = {
    ("list", "anonymous"): 1,
    ("list", "member_person"): 3,
    ("detail", "anonymous"): 4,
    ("detail", "member_person"): 11,
}


@pytest.mark.parametrize("size", [10, 200])
@pytest.mark.parametrize("page", ["list", "detail"])
@pytest.mark.parametrize("who", ["anonymous", "member_person"])
def test_queries_do_not_grow_with_the_members(
    cooperative_world, as_person, django_assert_max_num_queries, size, page, who
):
    zob = cooperative_world["zob"]
    add_active_members(zob, size)
    client = as_person(who)
    address = reverse("cooperative:list") if page == "list" else url("detail", zob)
    with django_assert_max_num_queries(QUERY_BOUND[page, who]):
        response = client.get(address)
    assert response.status_code == 200
    html = response.content.decode()
    if page == "detail":
        assert html.count('<tr class="utrecht-table__row" data-organisation=') == size + 2

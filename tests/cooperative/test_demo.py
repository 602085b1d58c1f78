"""The demo cooperatives (SPEC.md §8): loaded idempotently, through the services, with logins."""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils.module_loading import import_string

from cooperative import demo, selectors, services
from cooperative.models import (
    AuditRecord,
    ContributionKind,
    Cooperative,
    Membership,
    MembershipState,
    Organisation,
    OrganisationKind,
)

from .snapshots import database_state

pytestmark = pytest.mark.django_db


def load_demo():
    logins = []
    for dotted in settings.DEELBAAR_DEMO_LOADERS:
        logins.extend(import_string(dotted)() or [])
    return logins


def municipality(code):
    return Organisation.objects.get(cbs_code=code)


def state_of(cooperative_slug, code_or_slug):
    organisation = Organisation.objects.get(
        **({"cbs_code": code_or_slug} if code_or_slug.startswith("GM") else {"slug": code_or_slug})
    )
    return Membership.objects.get(
        cooperative__slug=cooperative_slug, organisation=organisation
    ).state


def test_the_cooperative_loader_runs_after_the_projects_own():
    loaders = settings.DEELBAAR_DEMO_LOADERS
    assert loaders.index("cooperative.demo.load") > loaders.index("deelbaar.demo.load")


def test_loading_twice_creates_and_changes_nothing():
    first = load_demo()
    state = database_state()
    assert load_demo() == first
    assert database_state() == state


def test_a_membership_changed_in_the_demo_is_left_as_it_is():
    load_demo()
    woerden = Membership.objects.get(cooperative__slug="zuidoost-brabant", state="applied")
    coordinator = get_user_model().objects.get(username="coordinator")
    services.approve_membership(actor=coordinator, membership=woerden)
    load_demo()
    assert state_of("zuidoost-brabant", "GM0632") == MembershipState.APPROVED
    assert Membership.objects.filter(organisation__cbs_code="GM0632").count() == 1


def test_every_membership_state_occurs():
    load_demo()
    assert set(Membership.objects.values_list("state", flat=True)) == set(MembershipState.values)


def test_the_cooperatives_and_their_members_are_as_announced():
    load_demo()
    zob = Cooperative.objects.get(slug="zuidoost-brabant")
    assert zob.contribution_kind == ContributionKind.PER_INHABITANT
    assert zob.contribution_minimum < zob.contribution_maximum
    assert zob.office.kind == OrganisationKind.COOPERATIVE_OFFICE
    assert state_of("zuidoost-brabant", "GM0772") == "active"
    assert state_of("zuidoost-brabant", "mijngemeentedichtbij") == "active"
    assert state_of("zuidoost-brabant", "GM0632") == "applied"
    assert set(
        Membership.objects.filter(cooperative=zob, role="pilot").values_list(
            "organisation__name", flat=True
        )
    ) == {"Eindhoven", "MijnGemeenteDichtbij"}
    mgd = Organisation.objects.get(slug="mijngemeentedichtbij")
    assert mgd.kind == OrganisationKind.JOINT_ARRANGEMENT
    assert set(mgd.represents.values_list("cbs_code", flat=True)) == {"GM0757", "GM0845"}
    gemboxx = Organisation.objects.get(name="Gemboxx")
    assert gemboxx.kind == OrganisationKind.SUPPLIER
    assert not gemboxx.memberships.exists()

    dimpact = Cooperative.objects.get(slug="dimpact")
    assert dimpact.contribution_kind == ContributionKind.FIXED
    assert municipality("GM0014").name == "Groningen"
    assert municipality("GM0014").inhabitants == 200_210
    assert municipality("GM0009").name == "Ten Boer"
    assert municipality("GM0009").inhabitants == 7_450
    assert state_of("dimpact", "GM0014") == state_of("dimpact", "GM0009") == "active"
    assert dimpact.memberships.filter(state="approved").count() == 1

    nijmegen = Cooperative.objects.get(slug="regio-nijmegen")
    region = {
        "GM0209": "Beuningen",
        "GM0225": "Druten",
        "GM0241": "Groesbeek",
        "GM0252": "Heumen",
        "GM0265": "Millingen aan de Rijn",
        "GM0944": "Mook en Middelaar",
        "GM0268": "Nijmegen",
        "GM0282": "Ubbergen",
        "GM0668": "West Maas en Waal",
        "GM0296": "Wijchen",
    }
    assert (
        dict(nijmegen.memberships.values_list("organisation__cbs_code", "organisation__name"))
        == region
    )
    assert state_of("regio-nijmegen", "GM0296") == "applied"
    rejected = nijmegen.memberships.get(state="rejected")
    left = nijmegen.memberships.get(state="left")
    assert "Berg en Dal" in rejected.rejection_reason
    assert (
        "Berg en Dal"
        in AuditRecord.objects.get(action="membership.left", object_id=str(left.pk)).reason
    )


def test_reach_of_zuidoost_brabant_is_eindhoven_boxtel_and_sint_michielsgestel():
    load_demo()
    zob = Cooperative.objects.get(slug="zuidoost-brabant")
    expected = sum(municipality(code).inhabitants for code in ("GM0772", "GM0757", "GM0845"))
    assert selectors.reach(zob) == expected
    assert selectors.cooperatives_list().get(pk=zob.pk).reach == expected


def test_the_demo_went_through_the_services():
    load_demo()
    for membership in Membership.objects.all():
        actions = list(
            AuditRecord.objects.filter(
                object_type__model="membership", object_id=str(membership.pk)
            )
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions[0] == "membership.applied"
        assert (
            len(actions)
            == {
                "applied": 1,
                "rejected": 2,
                "approved": 2,
                "active": 3,
                "left": 4,
            }[membership.state]
        )
        assert membership.contribution_due is not None or membership.state in (
            "applied",
            "rejected",
        )
    assert not AuditRecord.objects.filter(actor__isnull=True).exists()


def test_the_roles_behind_the_logins():
    load_demo()
    users = get_user_model().objects
    zob, dimpact = (Cooperative.objects.get(slug=s) for s in ("zuidoost-brabant", "dimpact"))
    nijmegen = Cooperative.objects.get(slug="regio-nijmegen")
    assert selectors.is_coordinator(users.get(username="coordinator"), zob)
    assert selectors.is_coordinator(users.get(username="coordinator-dimpact"), dimpact)
    assert selectors.is_coordinator(users.get(username="coordinator-nijmegen"), nijmegen)
    assert not selectors.is_coordinator(users.get(username="coordinator"), dimpact)
    assert selectors.user_is_entitled(users.get(username="eindhoven"), zob)
    assert selectors.user_is_entitled(users.get(username="mijngemeentedichtbij"), zob)
    assert not selectors.user_is_entitled(users.get(username="woerden"), zob)
    assert [o.name for o in selectors.organisations_of(users.get(username="woerden"))] == [
        "Woerden"
    ]


def test_each_printed_login_can_log_in_and_no_other():
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    printed = re.findall(r"^\s+.+?\s{2}(\S+) / (\S+)$", out.getvalue(), flags=re.MULTILINE)
    expected = {
        ("admin", "deelbaar-admin"),
        ("coordinator", "deelbaar-demo"),
        ("coordinator-dimpact", "deelbaar-demo"),
        ("coordinator-nijmegen", "deelbaar-demo"),
        ("eindhoven", "deelbaar-demo"),
        ("mijngemeentedichtbij", "deelbaar-demo"),
        ("woerden", "deelbaar-demo"),
    }
    # Later apps' loaders print logins of their own after these.
    assert expected <= set(printed)
    assert {(login.username, login.password) for login in demo.LOGINS} <= expected
    for username, password in printed:
        assert Client().login(username=username, password=password), username
    # The contact people who applied for the other organisations cannot log in.
    contacts = get_user_model().objects.filter(username__startswith="contact-")
    assert contacts.exists()
    assert not any(contact.has_usable_password() for contact in contacts)

"""The cooperative pages in a real browser: joining, the coordinator's queue, the audit trail.

The data is made through the services, as users would make it. Elements are found by their ids
and data attributes, not by the Dutch words of the page, which the catalogue may still change.
"""

import re
from decimal import Decimal

import pytest
from django.utils.timezone import localdate

from cooperative import services
from cooperative.models import ContributionKind, Membership, MembershipRole, OrganisationKind
from tests.browser.conftest import login

PASSWORD = "a-Good-passw0rd"


@pytest.fixture
def world(django_user_model):
    """Zuidoost-Brabant with Eindhoven and MijnGemeenteDichtbij active, and a coordinator."""
    admin = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)

    def person(username, *organisations):
        user = django_user_model.objects.create_user(
            username, password=PASSWORD, first_name=username.title()
        )
        for organisation in organisations:
            services.affiliate(actor=admin, organisation=organisation, user=user)
        return user

    def municipality(name, cbs_code, inhabitants):
        return services.register_organisation(
            actor=admin,
            kind=OrganisationKind.MUNICIPALITY,
            name=name,
            cbs_code=cbs_code,
            inhabitants=inhabitants,
        )

    zob = services.create_cooperative(
        actor=admin,
        name="ICT Samenwerking Zuidoost-Brabant",
        slug="zuidoost-brabant",
        description="Gemeenten in Zuidoost-Brabant bouwen samen software.",
        contribution_kind=ContributionKind.PER_INHABITANT,
        contribution_amount=Decimal("0.10"),
        contribution_minimum=Decimal("1000"),
        contribution_maximum=Decimal("25000"),
    )
    coordinator = person("carla")
    services.appoint_coordinator(actor=admin, cooperative=zob, user=coordinator)
    eindhoven = municipality("Eindhoven", "GM0772", 243_730)
    boxtel = municipality("Boxtel", "GM0757", 31_500)
    gestel = municipality("Sint-Michielsgestel", "GM0845", 29_500)
    mgd = services.register_organisation(
        actor=admin,
        kind=OrganisationKind.JOINT_ARRANGEMENT,
        name="MijnGemeenteDichtbij",
        represents=[boxtel, gestel],
    )
    for organisation, username in ((eindhoven, "eva"), (mgd, "maarten")):
        membership = services.apply_for_membership(
            actor=person(username, organisation),
            cooperative=zob,
            organisation=organisation,
            role=MembershipRole.PILOT,
        )
        membership = services.approve_membership(actor=coordinator, membership=membership)
        services.record_payment(
            actor=coordinator,
            membership=membership,
            paid_on=localdate(),
            amount=membership.contribution_due,
        )
    woerden = municipality("Woerden", "GM0632", 53_000)
    utrecht = municipality("Utrecht", "GM0344", 370_000)
    return {
        "zob": zob,
        "coordinator": coordinator,
        "woerden": woerden,
        "utrecht": utrecht,
        "wim": person("wim", woerden),
        "uma": person("uma", utrecht),
    }


def test_public_pages_show_reach_and_members(page, live_url, world, assert_accessible):
    page.goto(live_url + "/")
    page.locator('#main-navigation a[href="/cooperatives/"]').click()
    page.wait_for_load_state()
    row = page.locator('#cooperatives tr[data-cooperative="zuidoost-brabant"]')
    assert row.locator("[data-reach]").get_attribute("data-reach") == "304730"
    assert "304.730" in row.inner_text()  # Dutch digit grouping
    assert_accessible(page)

    row.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "ICT Samenwerking Zuidoost-Brabant"
    assert page.locator("#reach").get_attribute("data-reach") == "304730"
    assert "304.730" in page.locator("#reach").inner_text()
    members = page.locator("#members tbody tr")
    assert members.count() == 2
    assert page.locator('#members tr[data-organisation="eindhoven"]').inner_text().count("243.730")
    joint = page.locator('#members tr[data-organisation="mijngemeentedichtbij"]')
    assert "Boxtel, Sint-Michielsgestel" in joint.inner_text()
    assert joint.locator("[data-inhabitants]").get_attribute("data-inhabitants") == "61000"
    assert "25.000,00" in page.locator("#policy").inner_text()
    assert page.locator("#login-for-quote").is_visible()
    assert page.locator("#coordinator-links").count() == 0
    assert_accessible(page)


def test_a_person_joins_through_the_join_page(page, live_url, world, assert_accessible):
    login(page, live_url, "wim", PASSWORD)
    page.goto(f"{live_url}/cooperatives/zuidoost-brabant/")
    quote = page.locator(f"#quote-{world['woerden'].pk}")
    assert quote.locator("[data-amount]").get_attribute("data-amount") == "5300.00"
    assert_accessible(page)
    quote.locator("a.join-link").click()
    page.wait_for_load_state()

    # The cost is shown before applying, and Woerden is already chosen by the link.
    assert "5.300,00" in page.locator("#quotes").inner_text()
    assert page.locator("#id_organisation").input_value() == str(world["woerden"].pk)
    assert page.locator("#id_organisation option").count() == 2  # the placeholder and Woerden
    assert_accessible(page)

    page.locator("#id_role_1").check()  # pilot, by keyboard below
    page.locator("#id_role_0").focus()
    page.keyboard.press("Space")  # member
    page.locator("#apply-button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_url}/cooperatives/zuidoost-brabant/")
    assert page.locator(".deelbaar-messages").is_visible()
    membership = Membership.objects.get(organisation=world["woerden"])
    assert membership.state == "applied"
    assert membership.role == "member"
    assert page.locator(f"#quote-{world['woerden'].pk} a.join-link").count() == 0

    # Once applied, the join page shows where the application stands instead of the form
    # (a second application sent anyway is refused beside the field: tests/cooperative).
    page.goto(f"{live_url}/cooperatives/zuidoost-brabant/join/")
    assert page.locator("#join-form").count() == 0
    state = page.locator(f"#join-state [data-organisation='{world['woerden'].slug}']")
    assert state.get_attribute("data-state") == "applied"
    assert_accessible(page)
    assert Membership.objects.filter(organisation=world["woerden"]).count() == 1


def test_a_person_without_an_organisation_is_told_why(page, live_url, world, assert_accessible):
    login(page, live_url, "carla", PASSWORD)
    page.goto(f"{live_url}/cooperatives/zuidoost-brabant/join/")
    assert page.locator("#no-organisation").is_visible()
    assert page.locator("#join-form").count() == 0
    assert_accessible(page)


def apply(world, who, organisation):
    return services.apply_for_membership(
        actor=world[who], cooperative=world["zob"], organisation=world[organisation]
    )


def test_coordinator_works_the_queue_with_the_keyboard(page, live_url, world, assert_accessible):
    woerden = apply(world, "wim", "woerden")
    utrecht = apply(world, "uma", "utrecht")
    login(page, live_url, "carla", PASSWORD)
    page.goto(f"{live_url}/cooperatives/zuidoost-brabant/")
    page.locator("#queue-link").click()
    page.wait_for_load_state()
    assert page.locator("#membership-queue tbody tr").count() == 2
    assert_accessible(page)

    # Approve Woerden: the row turns into the payment form, focus moves to the message.
    page.locator(f"#approve-{woerden.pk}").focus()
    page.keyboard.press("Enter")
    page.locator(f"#pay-{woerden.pk}").wait_for()
    page.wait_for_function("document.activeElement.id === 'queue-messages'")
    assert "5.300,00" in page.locator("#queue-messages").inner_text()
    assert page.locator(f"#m{woerden.pk}-amount").input_value() == "5300,00"
    assert page.locator(f"#m{woerden.pk}-paid_on").input_value() == localdate().isoformat()
    assert_accessible(page)

    # Record the payment, prefilled with today and the contribution due.
    page.locator(f"#pay-{woerden.pk}").focus()
    page.keyboard.press("Enter")
    page.locator(f"#membership-{woerden.pk}").wait_for(state="detached")
    woerden.refresh_from_db()
    assert woerden.state == "active"
    assert woerden.paid_amount == Decimal("5300.00")

    # Rejecting Utrecht without a reason is refused beside the field, which gets the focus.
    reason = page.locator(f"#m{utrecht.pk}-reason")
    page.locator(f"#reject-{utrecht.pk}").focus()
    page.keyboard.press("Enter")
    page.locator(f"#m{utrecht.pk}-reason-error").wait_for()
    page.wait_for_function(f"document.activeElement.id === 'm{utrecht.pk}-reason'")
    assert reason.get_attribute("aria-invalid") == "true"
    assert reason.get_attribute("aria-describedby") == f"m{utrecht.pk}-reason-error"
    utrecht.refresh_from_db()
    assert utrecht.state == "applied"
    assert_accessible(page)

    # Type the reason where the focus already is, and send it with Enter.
    page.keyboard.type("Utrecht valt buiten de regio")
    page.keyboard.press("Enter")
    page.locator(f"#membership-{utrecht.pk}").wait_for(state="detached")
    utrecht.refresh_from_db()
    assert utrecht.state == "rejected"
    assert utrecht.rejection_reason == "Utrecht valt buiten de regio"

    # The audit trail shows every one of those changes.
    page.goto(f"{live_url}/cooperatives/zuidoost-brabant/audit/")
    records = page.locator("#audit-records")
    for action in ("membership.approved", "membership.activated", "membership.rejected"):
        assert records.locator(f'tr[data-action="{action}"]').count() >= 1
    rejected = records.locator('tr[data-action="membership.rejected"]')
    assert "Utrecht valt buiten de regio" in rejected.inner_text()
    # The trail says it in words, in the page's language (Dutch by default).
    state = rejected.locator('li[data-field="state"]').inner_text()
    assert "aangemeld" in state and "afgewezen" in state
    activated = records.locator('tr[data-action="membership.activated"]').first
    state = activated.locator('li[data-field="state"]').inner_text()
    assert "goedgekeurd" in state and "actief" in state
    assert_accessible(page)

    # Filter on one action.
    page.locator("#id_action").select_option("membership.rejected")
    page.locator("#filter-button").click()
    page.wait_for_load_state()
    assert re.search(r"action=membership\.rejected", page.url)
    assert page.locator("#audit-records tbody tr").count() == 1
    assert_accessible(page)

    # And in English.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Audit trail of ICT Samenwerking Zuidoost-Brabant"
    assert_accessible(page)


def test_queue_works_without_javascript(browser, live_url, world):
    """Plain forms and redirects. (axe needs JavaScript; the same markup is checked above.)"""
    woerden = apply(world, "wim", "woerden")
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, live_url, "carla", PASSWORD)
        page.goto(f"{live_url}/cooperatives/zuidoost-brabant/memberships/")
        page.locator(f"#reject-{woerden.pk}").click()
        page.wait_for_load_state()
        assert page.locator("#error-summary").is_visible()
        assert page.locator(f"#m{woerden.pk}-reason").get_attribute("aria-invalid") == "true"
        page.locator(f"#approve-{woerden.pk}").click()
        page.wait_for_load_state()
        assert page.url.endswith("/cooperatives/zuidoost-brabant/memberships/")
        assert page.locator(".deelbaar-messages").is_visible()
        assert page.locator(f"#pay-{woerden.pk}").is_visible()
        woerden.refresh_from_db()
        assert woerden.state == "approved"
    finally:
        context.close()


def test_others_are_refused_the_queue_and_the_trail(page, live_url, world):
    login(page, live_url, "uma", PASSWORD)
    for path in ("memberships", "audit"):
        response = page.goto(f"{live_url}/cooperatives/zuidoost-brabant/{path}/")
        assert response.status == 403

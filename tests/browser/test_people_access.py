"""Newcomers, API tokens and the lockout in a real browser, each page checked with axe.

A visitor without an account calculates what joining costs and asks for access; a coordinator
finds the request in the queue and declines it; a person makes and revokes an API token; six
wrong passwords pause signing in. Elements are found by ids, not by the Dutch words.
"""

from decimal import Decimal

import pytest

from cooperative import services
from cooperative.models import ContributionKind, OrganisationKind
from people.models import AccessRequest, PersonalToken
from tests.browser.conftest import login

PASSWORD = "a-Good-passw0rd"


@pytest.fixture
def world(django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    zob = services.create_cooperative(
        actor=admin,
        name="ICT Samenwerking Zuidoost-Brabant",
        slug="zuidoost-brabant",
        contribution_kind=ContributionKind.PER_INHABITANT,
        contribution_amount=Decimal("0.10"),
        contribution_minimum=Decimal("1000"),
        contribution_maximum=Decimal("25000"),
    )
    coordinator = django_user_model.objects.create_user("carla", password=PASSWORD)
    services.appoint_coordinator(actor=admin, cooperative=zob, user=coordinator)
    woerden = services.register_organisation(
        actor=admin,
        kind=OrganisationKind.MUNICIPALITY,
        name="Woerden",
        cbs_code="GM0632",
        inhabitants=53_000,
    )
    return {"zob": zob, "coordinator": coordinator, "woerden": woerden}


def test_a_newcomer_calculates_and_asks_for_access(page, live_url, world, assert_accessible):
    page.goto(f"{live_url}/cooperatives/zuidoost-brabant/")
    page.locator("#joining-link").click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.select_option("#quote-organisation", str(world["woerden"].pk))
    page.locator("#calculate-button").click()
    page.wait_for_load_state()
    assert page.locator("#quote").get_attribute("data-amount") == "5300.00"
    assert "5.300,00" in page.locator("#quote").inner_text()
    page.select_option("#quote-organisation", "")
    page.fill("#quote-inhabitants", "7450")
    page.locator("#calculate-button").click()
    page.wait_for_load_state()
    assert page.locator("#quote").get_attribute("data-amount") == "1000.00"  # the minimum
    assert_accessible(page)

    # Sent without the required fields: the error summary names each one.
    page.locator("#request-access-button").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary [data-error-field]").count() == 3
    assert_accessible(page)

    page.fill("#id_organisation_name", "Gemeente Woerden")
    page.fill("#id_name", "Wendy Wouters")
    page.fill("#id_email", "wendy@woerden.nl")
    page.fill("#id_message", "Wij willen de subsidiemodule gebruiken.")
    page.locator("#request-access-button").click()
    page.wait_for_load_state()
    assert page.locator(".deelbaar-messages").is_visible()
    assert AccessRequest.objects.get().name == "Wendy Wouters"
    assert_accessible(page)


def test_a_coordinator_declines_a_request(page, live_url, world, assert_accessible):
    from people.services import newcomers as newcomer_services

    waiting = newcomer_services.request_access(
        cooperative=world["zob"],
        organisation_name="Spam BV",
        name="Sam",
        email="sam@example.com",
    )
    login(page, live_url, "carla", PASSWORD)
    page.goto(f"{live_url}/cooperatives/zuidoost-brabant/")
    page.locator("#access-requests-link").click()
    page.wait_for_load_state()
    card = page.locator(f"#access-request-{waiting.pk}")
    assert "Spam BV" in card.inner_text()
    assert_accessible(page)

    card.locator("button[name=decline]").click()  # without a reason
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert_accessible(page)
    page.locator(
        f"#access-request-{waiting.pk} textarea, #access-request-{waiting.pk} input[name=reason]"
    ).fill("Geen overheidsorganisatie.")
    page.locator(f"#access-request-{waiting.pk} button[name=decline]").click()
    page.wait_for_load_state()
    assert page.locator("#no-access-requests").is_visible()
    assert page.locator("#decided-access-requests").is_visible()
    waiting.refresh_from_db()
    assert waiting.state == "declined"
    assert_accessible(page)


def test_a_person_makes_and_revokes_a_token(
    page, live_url, world, assert_accessible, django_user_model
):
    django_user_model.objects.create_user("eva", password=PASSWORD)
    login(page, live_url, "eva", PASSWORD)
    page.goto(f"{live_url}/accounts/tokens/")
    assert page.locator("#no-tokens").is_visible()
    assert_accessible(page)
    page.fill("#id_name", "Rapportage-script")
    page.locator("#make-token-button").click()
    page.wait_for_load_state()
    secret = page.locator("#new-token-secret").inner_text()
    assert secret.startswith("dlb_")
    token = PersonalToken.objects.get()
    assert token.name == "Rapportage-script" and secret not in token.digest
    assert_accessible(page)
    # Shown once: the page again does not show it.
    page.goto(f"{live_url}/accounts/tokens/")
    assert page.locator("#new-token-secret").count() == 0
    page.locator(f"#token-{token.pk} button").click()
    page.wait_for_load_state()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert page.locator(f"#token-{token.pk} button").count() == 0
    assert_accessible(page)


def test_six_wrong_passwords_pause_signing_in(
    page, live_url, world, assert_accessible, django_user_model
):
    django_user_model.objects.create_user("eva", password=PASSWORD)
    for _ in range(6):
        page.goto(f"{live_url}/accounts/login/")
        page.fill("input[name=username]", "eva")
        page.fill("input[name=password]", "wrong")
        page.click("form.utrecht-form button[type=submit]")
        page.wait_for_load_state()
    assert page.locator("#locked-out").is_visible()
    assert_accessible(page)
    page.goto(f"{live_url}/accounts/login/")
    page.fill("input[name=username]", "eva")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.utrecht-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#locked-out").is_visible()


def test_a_coordinator_puts_a_newcomer_organisation_on_deelbaar(
    page, live_url, world, assert_accessible
):
    login(page, live_url, "carla", PASSWORD)
    page.goto(f"{live_url}/cooperatives/zuidoost-brabant/access-requests/")
    with page.expect_navigation():
        page.locator("#register-organisation-link").click()
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("#organisation-form button[type=submit]").click()
    assert page.locator(".utrecht-form-field-error-message").first.is_visible()
    assert_accessible(page)
    page.fill("#id_name", "Helmond")
    page.fill("#id_cbs_code", "GM0794")
    page.fill("#id_inhabitants", "92000")
    with page.expect_navigation():
        page.locator("#organisation-form button[type=submit]").click()
    assert page.url.endswith("/cooperatives/zuidoost-brabant/access-requests/")
    assert "Helmond" in page.content()

"""Two-step verification and the identity provider's sign-in in a real browser, with axe."""

import base64
import re

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import login
from tests.second_factor import ensure_second_factor

PASSWORD = "a-Good-passw0rd"


def password_form(page, live_url, username, next_url=""):
    page.goto(f"{live_url}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.utrecht-form button[type=submit]")


def test_a_coordinator_enrols_with_the_key_on_the_page(
    page, live_url, assert_accessible, coordinator, zob
):
    audit = f"/cooperatives/{zob.slug}/audit/"
    password_form(page, live_url, coordinator.username, audit)
    assert "/accounts/two-factor/enrol/" in page.url
    assert page.locator("#enrol-required").is_visible()
    assert page.get_by_role("img", name=re.compile("QR-code")).is_visible()
    assert_accessible(page)
    # What a person types into their app: the key as shown, in groups.
    shown = page.locator("#secret-key").inner_text().replace(" ", "")
    key = base64.b32decode(shown + "=" * (-len(shown) % 8))
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert key == device.bin_key
    page.get_by_label("Code uit de app").fill(f"{totp(key):06d}")
    with page.expect_navigation():
        page.get_by_role("button", name="Aanzetten").click()
    assert "/accounts/two-factor/recovery-codes/" in page.url
    assert page.locator("#recovery-codes li").count() == 10
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("#continue-link").click()
    assert page.url.endswith(audit)


def test_the_code_page_and_the_account_page(page, live_url, assert_accessible, coordinator, zob):
    device = ensure_second_factor(coordinator)
    password_form(page, live_url, coordinator.username)
    assert "/accounts/two-factor/verify/" in page.url
    assert_accessible(page)
    page.get_by_label("Code").fill(
        "123 456" if f"{totp(device.bin_key):06d}" != "123456" else "654321"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Verder").click()
    assert page.locator(".utrecht-form-field-error-message").is_visible()
    assert_accessible(page)
    page.goto(f"{live_url}/accounts/two-factor/")
    assert "/accounts/two-factor/verify/" in page.url  # still held
    # Leave the page first: a request of its own still on its way (the menu's count) could
    # otherwise set a cookie again after they are cleared, and the next login's form fail.
    page.goto("about:blank")
    page.context.clear_cookies()
    login(page, live_url, coordinator.username, PASSWORD)  # the helper's fresh code
    page.goto(f"{live_url}/accounts/two-factor/")
    assert page.locator("#second-factor-required").is_visible()
    assert page.locator("#remove-second-factor").count() == 0
    assert_accessible(page)


def test_signing_in_at_the_identity_provider(
    page, live_url, assert_accessible, identity_provider, make_user
):
    make_user("jeroen", email="j.jansen@eindhoven.example", first_name="Jeroen", last_name="Jansen")
    page.goto(f"{live_url}/accounts/login/")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("#identity-provider-link").click()
    assert page.url.startswith(identity_provider.url)
    page.fill("#email", "j.jansen@eindhoven.example")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.startswith(live_url)
    assert page.get_by_text("Ingelogd als Jeroen Jansen").is_visible()


def test_an_unknown_person_at_the_identity_provider(
    page, live_url, assert_accessible, identity_provider
):
    page.goto(f"{live_url}/accounts/login/")
    with page.expect_navigation():
        page.locator("#identity-provider-link").click()
    page.fill("#email", "nieuw@boxtel.example")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.get_by_role("heading", name="Vraag om een uitnodiging").is_visible()
    assert page.get_by_role("link", name="Inloggen").first.is_visible()
    assert_accessible(page)

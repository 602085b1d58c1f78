"""Two-step verification: who is held at it, enrolling an app, codes, recovery codes, the API.

Every sign-in here goes through the real login form (force_login would pass the second factor,
see tests/second_factor.py), and codes are computed from the device's key as an app would.
"""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from signin import services
from tests.second_factor import ensure_second_factor

pytestmark = pytest.mark.django_db
PASSWORD = "a-Good-passw0rd"


def app_code(device: TOTPDevice, *, later: int = 0) -> str:
    """The code an authenticator app shows now (or `later` time steps on)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later * device.step
    return f"{totp.token():0{device.digits}d}"


def after_the_pause():
    """django-otp makes a person wait after a wrong code (1 s, doubling): a clock past it."""
    return time_machine.travel(time.time() + 5, tick=True)


def password_sign_in(username, next_url="/"):
    client = Client()
    answer = client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD, "next": next_url}
    )
    assert answer.status_code == 302, answer.content[:500]
    return client, answer["Location"]


def test_a_coordinator_without_an_app_is_sent_to_enrol_before_any_coordinator_page(
    coordinator, zob
):
    audit = f"/cooperatives/{zob.slug}/audit/"
    client, location = password_sign_in(coordinator.username, next_url=audit)
    assert location == audit
    for page in (audit, f"/cooperatives/{zob.slug}/memberships/", "/products/", "/"):
        answer = client.get(page)
        assert answer.status_code == 302, page
        target = urlsplit(answer["Location"])
        assert target.path == "/accounts/two-factor/enrol/"
        assert parse_qs(target.query)["next"] == [page]
    # A part of a page that htmx fetches is refused, not answered with the enrolment page.
    part = client.get("/products/", HTTP_HX_REQUEST="true")
    assert part.status_code == 403 and b"<html" not in part.content
    enrol = client.get(f"/accounts/two-factor/enrol/?next={audit}")
    assert enrol.status_code == 200
    assert b'id="enrol-required"' in enrol.content
    assert b'src="data:image/svg+xml' in enrol.content  # the QR code


def test_enrolling_lets_the_coordinator_in_and_shows_recovery_codes_once(coordinator, zob):
    audit = f"/cooperatives/{zob.slug}/audit/"
    client, _ = password_sign_in(coordinator.username, next_url=audit)
    client.get("/accounts/two-factor/enrol/")
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert device.key.lower() == device.key  # the key shown on the page is this device's
    wrong = client.post("/accounts/two-factor/enrol/", {"token": "000000", "next": audit})
    if app_code(device) != "000000":
        assert wrong.status_code == 200
        assert wrong.context["form"].errors["token"]
        assert client.get(audit).status_code == 302

    with after_the_pause():
        answer = client.post(
            "/accounts/two-factor/enrol/", {"token": app_code(device), "next": audit}
        )
    assert answer.status_code == 302
    codes_page = client.get(answer["Location"])
    codes = codes_page.context["codes"]
    assert len(codes) == services.RECOVERY_CODE_COUNT and len(set(codes)) == len(codes)
    assert codes_page.context["next"] == audit
    # Shown once only.
    assert client.get("/accounts/two-factor/recovery-codes/").context["codes"] is None
    assert client.get(audit).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_the_next_sign_in_asks_for_the_apps_code(coordinator, zob):
    device = ensure_second_factor(coordinator)
    audit = f"/cooperatives/{zob.slug}/audit/"
    client, _ = password_sign_in(coordinator.username, next_url=audit)
    held = client.get(audit)
    assert urlsplit(held["Location"]).path == "/accounts/two-factor/verify/"
    wrong = client.post("/accounts/two-factor/verify/", {"token": app_code(device, later=5)})
    assert wrong.status_code == 200 and wrong.context["form"].errors["token"]
    # Right after a wrong code even the right one waits (guessing is slowed down)...
    assert (
        client.post("/accounts/two-factor/verify/", {"token": app_code(device)}).status_code == 200
    )
    with after_the_pause():
        code = app_code(device)
        answer = client.post("/accounts/two-factor/verify/", {"token": code, "next": audit})
        assert answer.status_code == 302 and answer["Location"] == audit
        assert client.get(audit).status_code == 200
        # The same code cannot be used again (a captured code is worthless).
        other, _ = password_sign_in(coordinator.username)
        again = other.post("/accounts/two-factor/verify/", {"token": code})
        assert again.status_code == 200 and again.context["form"].errors["token"]


def test_a_recovery_code_works_once(coordinator, zob):
    ensure_second_factor(coordinator)
    code = services.new_recovery_codes(user=coordinator)[0]
    client, _ = password_sign_in(coordinator.username)
    answer = client.post("/accounts/two-factor/verify/", {"token": code.upper()})
    assert answer.status_code == 302
    assert client.get(f"/cooperatives/{zob.slug}/audit/").status_code == 200
    again, _ = password_sign_in(coordinator.username)
    refused = again.post("/accounts/two-factor/verify/", {"token": code})
    assert refused.status_code == 200 and refused.context["form"].errors["token"]


def test_new_recovery_codes_replace_the_old_ones(coordinator):
    ensure_second_factor(coordinator)
    old = services.new_recovery_codes(user=coordinator)
    new = services.new_recovery_codes(user=coordinator)
    assert not set(old) & set(new)
    client, _ = password_sign_in(coordinator.username)
    assert client.post("/accounts/two-factor/verify/", {"token": old[0]}).status_code == 200
    with after_the_pause():
        assert client.post("/accounts/two-factor/verify/", {"token": new[0]}).status_code == 302


def test_a_password_alone_cannot_replace_the_app_or_turn_it_off(make_user):
    person = make_user("anouk")
    ensure_second_factor(person)
    client, _ = password_sign_in("anouk")
    held = client.get("/accounts/two-factor/enrol/")
    assert urlsplit(held["Location"]).path == "/accounts/two-factor/verify/"
    assert TOTPDevice.objects.filter(user=person).count() == 1  # no new app was started
    for page in ("/accounts/two-factor/", "/accounts/two-factor/remove/"):
        answer = client.post(page) if page.endswith("remove/") else client.get(page)
        assert urlsplit(answer["Location"]).path == "/accounts/two-factor/verify/"
    assert client.post("/accounts/two-factor/recovery-codes/").status_code == 302
    assert TOTPDevice.objects.filter(user=person, confirmed=True).exists()


def test_a_superuser_is_held_at_the_admin(admin):
    client, _ = password_sign_in(admin.username)
    answer = client.get("/admin/")
    assert urlsplit(answer["Location"]).path == "/accounts/two-factor/enrol/"


def test_an_ordinary_person_is_not_held_but_may_enrol_and_then_is_asked(make_user):
    make_user("anouk")
    client, _ = password_sign_in("anouk")
    assert client.get("/products/").status_code == 200
    account = client.get("/accounts/two-factor/")
    assert account.status_code == 200 and not account.context["enrolled"]
    client.get("/accounts/two-factor/enrol/")
    device = TOTPDevice.objects.get(user__username="anouk")
    assert (
        client.post("/accounts/two-factor/enrol/", {"token": app_code(device)}).status_code == 302
    )
    assert client.get("/accounts/two-factor/").context["enrolled"]
    # Enrolled, she is asked for a code at her next sign-in too.
    later, _ = password_sign_in("anouk")
    assert urlsplit(later.get("/products/")["Location"]).path == "/accounts/two-factor/verify/"
    # She may turn it off again (signed in with her code).
    assert client.post("/accounts/two-factor/remove/").status_code == 302
    assert not TOTPDevice.objects.filter(user__username="anouk").exists()


def test_a_coordinator_cannot_turn_it_off(coordinator):
    client = Client()
    client.force_login(coordinator)  # passes the second factor (tests/second_factor.py)
    answer = client.post("/accounts/two-factor/remove/", follow=True)
    assert answer.status_code == 200
    assert TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()
    assert b'id="remove-second-factor"' not in client.get("/accounts/two-factor/").content


def test_the_pages_need_a_signed_in_person():
    for page in (
        "/accounts/two-factor/",
        "/accounts/two-factor/enrol/",
        "/accounts/two-factor/verify/",
    ):
        answer = Client().get(page)
        assert answer.status_code == 302
        assert urlsplit(answer["Location"]).path == "/accounts/login/"
    assert Client().post("/accounts/two-factor/remove/").status_code == 302


def test_an_api_session_is_held_but_tokens_are_not(coordinator, zob):
    """API tokens are a credential of their own (docs/decisions/0006-second-factor.md)."""
    client, _ = password_sign_in(coordinator.username)
    held = client.get("/api/v1/me/")
    assert held.status_code == 403
    assert held.json()["code"] == "second_factor_required"
    api = APIClient()
    token = api.post(
        "/api/v1/auth/token/", {"username": coordinator.username, "password": PASSWORD}
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 200


def test_force_login_passes_the_second_factor_for_other_suites(coordinator, zob):
    client = Client()
    client.force_login(coordinator)
    assert client.get(f"/cooperatives/{zob.slug}/audit/").status_code == 200


def test_a_coordinator_signed_in_by_the_identity_provider_still_needs_the_code(
    identity_provider, coordinator, zob
):
    from tests.signin.fixtures import sign_in_at_provider

    coordinator.email = "carla@zob.example"
    coordinator.save()
    client = Client()
    audit = f"/cooperatives/{zob.slug}/audit/"
    assert (
        sign_in_at_provider(client, identity_provider, "carla@zob.example", next_url=audit)[
            "Location"
        ]
        == audit
    )
    assert urlsplit(client.get(audit)["Location"]).path == "/accounts/two-factor/enrol/"


def test_the_code_page_polls_nothing_it_cannot_reach(coordinator):
    """Before the code, "Mijn werk" has no count that fetches /my-work/count/ (which would get
    403 on every load); once the code is entered the count is back."""
    device = ensure_second_factor(coordinator)
    client, _ = password_sign_in(coordinator.username)
    count = "/my-work/count/"
    page = client.get("/accounts/two-factor/verify/")
    assert page.status_code == 200
    assert count not in page.content.decode()
    with after_the_pause():
        client.post("/accounts/two-factor/verify/", {"token": app_code(device)})
    assert count in client.get("/").content.decode()

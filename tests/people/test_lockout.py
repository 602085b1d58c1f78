"""Brute force: failed sign-ins are counted per account and per address on the login page,
the admin's login and /api/v1/auth/token/. With the defaults (DEELBAAR_LOGIN_FAILURES=5,
DEELBAAR_LOGIN_COOLOFF_MINUTES=15) five wrong passwords are answered as wrong, the sixth
attempt is refused with 429, and so is every later one, the right password too, until a
quarter of an hour after that sixth attempt."""

from datetime import timedelta

import polib
import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.deelbaar.test_translations import CATALOGUE

pytestmark = pytest.mark.django_db

RIGHT = "a-Good-passw0rd"


def token_attempt(username, password, address="10.0.0.1"):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address)
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
    )


def page_attempt(username, password, address="10.0.0.1", path="/accounts/login/", lang="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang, REMOTE_ADDR=address)
    return client.post(path, {"username": username, "password": password})


def assert_locked_out_api(response, seconds_left=15 * 60):
    assert response.status_code == 429, response.content
    body = response.json()
    assert body["status"] == 429
    assert body["code"] == "locked_out"
    assert body["errors"] == [{"field": None, "code": "locked_out", "message": body["detail"]}]
    assert f"{-(-seconds_left // 60)} minutes" in body["detail"]
    # Counted from the last failure that counted (a second may pass in the test).
    assert seconds_left - 2 <= int(response["Retry-After"]) <= seconds_left
    assert "token" not in body


def test_the_documented_defaults():
    assert settings.DEELBAAR_LOGIN_FAILURES == 5
    assert settings.DEELBAAR_LOGIN_COOLOFF_MINUTES == 15


def test_the_sixth_wrong_password_is_429_even_when_the_right_one_follows(user):
    for _ in range(5):
        assert token_attempt("marieke", "wrong").status_code == 401
    assert_locked_out_api(token_attempt("marieke", "wrong"))
    assert_locked_out_api(token_attempt("marieke", RIGHT))


def test_unlocked_after_the_cool_off(user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(6):
            token_attempt("marieke", "wrong")
        assert_locked_out_api(token_attempt("marieke", RIGHT))
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        response = token_attempt("marieke", RIGHT)
        assert response.status_code == 200, response.content
        assert response.json()["token"]


def test_attempts_during_the_lockout_do_not_extend_it(user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(6):
            token_attempt("marieke", "wrong")
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        # Ten minutes into the lock: five are left, and refused attempts do not add any.
        assert_locked_out_api(token_attempt("marieke", "still guessing"), seconds_left=5 * 60)
        assert_locked_out_api(token_attempt("marieke", RIGHT), seconds_left=5 * 60)
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert token_attempt("marieke", RIGHT).status_code == 200


def test_a_success_clears_the_count(user):
    for _ in range(4):
        token_attempt("marieke", "wrong")
    assert token_attempt("marieke", RIGHT).status_code == 200
    for _ in range(5):
        assert token_attempt("marieke", "wrong").status_code == 401


def test_per_account_wherever_the_attempts_come_from(user, make_user):
    make_user("pieter")
    for n in range(6):
        token_attempt("marieke", "wrong", address=f"10.0.1.{n}")
    # The account is locked, from a fresh address too, and whatever the case of its name...
    assert_locked_out_api(token_attempt("marieke", RIGHT, address="10.0.2.1"))
    assert_locked_out_api(token_attempt("MARIEKE", RIGHT, address="10.0.2.2"))
    # ...but another account from a fresh address is not.
    assert token_attempt("pieter", RIGHT, address="10.0.2.3").status_code == 200


def test_per_address_whichever_accounts_are_tried(user, make_user):
    make_user("pieter")
    for n in range(6):
        token_attempt(f"guess{n}", "wrong", address="10.0.3.1")
    # Every account is refused from that address, an existing one with its right password too...
    assert_locked_out_api(token_attempt("pieter", RIGHT, address="10.0.3.1"))
    # ...while the same account signs in from another address.
    assert token_attempt("pieter", RIGHT, address="10.0.3.2").status_code == 200


def test_the_login_page_counts_and_says_so_in_a_page(user):
    for _ in range(5):
        response = page_attempt("marieke", "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = page_attempt("marieke", "wrong")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "Signing in is paused" in text
    assert "Even the right password is refused" in text
    assert "15 minutes" in text
    response = page_attempt("marieke", RIGHT)
    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session


def test_the_admin_login_counts_too(make_user):
    make_user("beheer", is_staff=True, is_superuser=True)
    for _ in range(5):
        assert page_attempt("beheer", "wrong", path="/admin/login/").status_code == 200
    assert page_attempt("beheer", "wrong", path="/admin/login/").status_code == 429
    assert page_attempt("beheer", RIGHT, path="/admin/login/").status_code == 429
    # The counts are shared: the API refuses the account as well.
    assert_locked_out_api(token_attempt("beheer", RIGHT, address="10.9.9.9"))


def test_failures_on_the_page_and_the_api_add_up(user):
    for _ in range(3):
        page_attempt("marieke", "wrong")
    for _ in range(2):
        assert token_attempt("marieke", "wrong").status_code == 401
    assert_locked_out_api(token_attempt("marieke", "wrong"))


def test_the_lockout_page_is_in_dutch():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    dutch = {entry.msgid: entry.msgstr for entry in po}
    assert dutch["Signing in is paused"] == "Inloggen is tijdelijk geblokkeerd"


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(settings, user):
    settings.DEELBAAR_TRUSTED_PROXIES = 1
    for n in range(6):
        Client(REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR=f"1.2.3.4, 192.0.2.{n}").post(
            "/api/v1/auth/token/",
            {"username": f"guess{n}", "password": "x"},
            content_type="application/json",
        )
    # Six different clients behind the one proxy: none of them is locked out by the others.
    response = Client(REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="192.0.2.200").post(
        "/api/v1/auth/token/",
        {"username": "marieke", "password": RIGHT},
        content_type="application/json",
    )
    assert response.status_code == 200

"""Personal API tokens: several per person, named, expiring, stored hashed, revocable, and
revoked when their owner is deactivated."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from people.models import PersonalToken
from people.selectors.tokens import digest_of, token_for_secret
from people.services.tokens import issue_token, revoke_all_tokens

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/me/tokens/"


def signed_in(secret):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def sign_in_for_token(username="marieke", password="a-Good-passw0rd", **extra):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/token/", {"username": username, "password": password, **extra}
    )


def test_signing_in_makes_a_named_token_that_works_each_time_a_new_one(user):
    first = sign_in_for_token(name="my laptop")
    second = sign_in_for_token()
    assert first.status_code == second.status_code == 200
    assert first.json()["name"] == "my laptop"
    assert first.json()["token"] != second.json()["token"]
    assert first.json()["status"] == "active"
    for answer in (first, second):
        me = signed_in(answer.json()["token"]).get("/api/v1/me/")
        assert me.status_code == 200
        assert me.json()["username"] == "marieke"
    # Each lasts 90 days by default.
    expires = PersonalToken.objects.get(name="my laptop").expires_at
    assert abs(expires - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)


def test_a_wrong_password_is_401_and_makes_no_token(user):
    response = sign_in_for_token(password="wrong")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not PersonalToken.objects.exists()


def test_the_table_holds_no_usable_secret(user):
    secrets = [sign_in_for_token(name=f"t{n}").json()["token"] for n in range(3)]
    table = PersonalToken._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (our own table's name)
        rows = cursor.fetchall()
    assert len(rows) == 3
    stored = [str(value) for row in rows for value in row if value is not None]
    for secret in secrets:
        assert not any(secret in value for value in stored)
        # Nothing stored is a long piece of the secret either (only the short prefix is).
        assert not any(len(value) > 8 and value in secret for value in stored)
    # What is stored, sent as a token, signs no one in.
    for value in stored:
        assert signed_in(value).get("/api/v1/me/").status_code == 401


def test_an_expired_token_is_401(user):
    secret = sign_in_for_token().json()["token"]
    assert signed_in(secret).get("/api/v1/me/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=90, seconds=1)):
        response = signed_in(secret).get("/api/v1/me/")
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"
        assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_token_is_401_and_stays_listed_as_revoked(user):
    keep = sign_in_for_token(name="keep").json()
    drop = sign_in_for_token(name="drop").json()
    client = signed_in(keep["token"])
    assert client.delete(f"{TOKENS}{drop['id']}/").status_code == 204
    assert signed_in(drop["token"]).get("/api/v1/me/").status_code == 401
    listed = {t["name"]: t for t in client.get(TOKENS).json()["results"]}
    assert listed["drop"]["status"] == "revoked"
    assert listed["keep"]["status"] == "active"
    # The list never shows a secret.
    assert all("token" not in t for t in listed.values())
    # A token may revoke itself.
    assert client.delete(f"{TOKENS}{keep['id']}/").status_code == 204
    assert client.get(TOKENS).status_code == 401


def test_making_a_token_through_the_api_shows_the_secret_once(user, api_client):
    api_client.force_authenticate(user)
    expires = (timezone.now() + timedelta(days=7)).isoformat()
    made = api_client.post(TOKENS, {"name": "CI", "expires_at": expires})
    assert made.status_code == 201
    body = made.json()
    assert body["token"].startswith("dlb_") and body["prefix"] == body["token"][:8]
    assert signed_in(body["token"]).get("/api/v1/me/").status_code == 200
    listed = api_client.get(TOKENS).json()["results"]
    assert [t["name"] for t in listed] == ["CI"] and "token" not in listed[0]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x", "expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "x", "expires_at": "2999-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "x", "secret": "mine"}, "secret"),
    ],
)
def test_a_bad_token_request_is_400_naming_the_field(user, api_client, body, field):
    api_client.force_authenticate(user)
    response = api_client.post(TOKENS, body)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not PersonalToken.objects.exists()


def test_someone_elses_token_is_not_found(user, make_user, api_client):
    other = make_user("pieter")
    theirs, _secret = issue_token(actor=other, user=other, name="theirs")
    api_client.force_authenticate(user)
    assert api_client.delete(f"{TOKENS}{theirs.pk}/").status_code == 404
    assert api_client.get(TOKENS).json()["count"] == 0
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_deactivating_a_person_revokes_their_tokens(user):
    secret = sign_in_for_token().json()["token"]
    user.is_active = False
    user.save()
    assert PersonalToken.objects.get().revoked_at is not None
    user.is_active = True
    user.save()
    # Coming back does not bring old tokens back.
    assert signed_in(secret).get("/api/v1/me/").status_code == 401


def test_revoking_all_tokens_of_a_person_is_audited(user):
    from cooperative.models import AuditRecord

    issue_token(actor=user, user=user, name="a")
    issue_token(actor=user, user=user, name="b")
    assert revoke_all_tokens(user=user, reason="removed from Eindhoven") == 2
    assert not PersonalToken.objects.usable().exists()
    assert AuditRecord.objects.filter(action="people.token_revoked").count() == 2
    assert revoke_all_tokens(user=user, reason="again") == 0


def test_the_token_list_takes_the_same_queries_at_any_size(
    user, api_client, django_assert_max_num_queries
):
    api_client.force_authenticate(user)
    for size in (2, 20):
        while PersonalToken.objects.count() < size:
            issue_token(actor=user, user=user, name=f"t{PersonalToken.objects.count()}")
        with django_assert_max_num_queries(3):
            assert api_client.get(TOKENS).json()["count"] == size


def _fields(instance):
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def test_the_token_a_secret_finds_is_the_one_the_orm_reads_with_its_owner(user):
    # The look-up is SQL written out (people.selectors.tokens); its objects must be the ORM's,
    # down to aware datetimes and booleans on either database.
    user.last_login = timezone.now() - timedelta(days=2)
    user.save()
    token, secret = issue_token(actor=user, user=user, name="laptop")
    PersonalToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    found = token_for_secret(secret)
    assert found is not None
    stored = PersonalToken.objects.select_related("user").get(pk=token.pk)
    assert _fields(found) == _fields(stored)
    assert _fields(found.user) == _fields(stored.user)
    assert found.user.last_login.tzinfo is not None and found.expires_at.tzinfo is not None
    assert found.user.is_active is True and found.user.is_superuser is False


@pytest.mark.parametrize(
    "state", ["active", "revoked", "expired", "owner inactive", "other digest"]
)
def test_a_secret_finds_a_token_exactly_when_the_orm_calls_it_usable(user, state):
    token, secret = issue_token(actor=user, user=user, name="laptop")
    tokens = PersonalToken.objects.filter(pk=token.pk)
    if state == "revoked":
        tokens.update(revoked_at=timezone.now())
    elif state == "expired":
        tokens.update(created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now())
    elif state == "owner inactive":
        # Behind the services' back: deactivating through them revokes the tokens too.
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    elif state == "other digest":
        secret = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    usable = PersonalToken.objects.usable().filter(user__is_active=True, digest=digest_of(secret))
    assert (token_for_secret(secret) is not None) == usable.exists() == (state == "active")

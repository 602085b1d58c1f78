"""Sign-in with the organisation's identity provider, against a real OpenID Connect provider
process (tests/signin/provider.py): discovery, authorisation, token, JWKS and userinfo over HTTP.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from signin import oidc
from tests.signin.fixtures import sign_in_at_provider

pytestmark = pytest.mark.django_db


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def test_a_known_verified_address_signs_in(identity_provider, make_user):
    person = make_user("jeroen", email="J.Jansen@Eindhoven.example")
    client = Client()
    answer = sign_in_at_provider(
        client, identity_provider, "j.jansen@eindhoven.example", next_url="/solutions/"
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/solutions/"
    assert signed_in_as(client) == person
    assert client.get("/").context["user"] == person


def test_an_unknown_person_is_told_to_ask_for_an_invitation(identity_provider, make_user):
    make_user("jeroen", email="j.jansen@eindhoven.example")
    client = Client()
    answer = sign_in_at_provider(client, identity_provider, "nieuw@boxtel.example")
    assert answer.status_code == 403
    assert answer.context["reason"] == "unknown"
    page = answer.content.decode()
    assert "Vraag om een uitnodiging" in page
    assert "beheerder" in page
    assert signed_in_as(client) is None
    # No account was made for them.
    assert not get_user_model().objects.filter(email__iexact="nieuw@boxtel.example").exists()


def test_the_invitation_message_in_english(identity_provider):
    client = Client()
    answer = sign_in_at_provider(
        client, identity_provider, "nieuw@boxtel.example", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 403
    assert "Ask your organisation's admin for Deelbaar to invite you" in answer.content.decode()


def test_an_unverified_address_is_refused(identity_provider, make_user):
    make_user("jeroen", email="j.jansen@eindhoven.example")
    client = Client()
    answer = sign_in_at_provider(
        client, identity_provider, "j.jansen@eindhoven.example", verified=False
    )
    assert answer.status_code == 403
    assert answer.context["reason"] == "unverified"
    assert signed_in_as(client) is None


def test_a_tampered_token_is_refused(identity_provider, make_user):
    """The provider signs the ID token with a key it never published (same key id)."""
    make_user("jeroen", email="j.jansen@eindhoven.example")
    identity_provider.tamper(True)
    client = Client()
    answer = sign_in_at_provider(client, identity_provider, "j.jansen@eindhoven.example")
    assert answer.status_code == 400
    assert answer.context["reason"] == "invalid"
    assert signed_in_as(client) is None
    # The same person, with an honest token, gets in: the refusal was the signature's.
    identity_provider.tamper(False)
    assert (
        sign_in_at_provider(Client(), identity_provider, "j.jansen@eindhoven.example").status_code
        == 302
    )


def test_a_callback_without_a_started_sign_in_is_refused(identity_provider):
    answer = Client().get("/accounts/oidc/callback/", {"code": "made-up", "state": "made-up"})
    assert answer.status_code in (400, 403)
    assert "_auth_user_id" not in Client().session


def test_two_accounts_with_the_address_sign_in_neither(identity_provider, make_user):
    make_user("a", email="gedeeld@boxtel.example")
    make_user("b", email="GEDEELD@boxtel.example")
    client = Client()
    answer = sign_in_at_provider(client, identity_provider, "gedeeld@boxtel.example")
    assert answer.status_code == 403
    assert answer.context["reason"] == "ambiguous"
    assert signed_in_as(client) is None


def test_an_inactive_account_does_not_sign_in(identity_provider, make_user):
    make_user("weg", email="weg@boxtel.example", is_active=False)
    client = Client()
    answer = sign_in_at_provider(client, identity_provider, "weg@boxtel.example")
    assert answer.status_code == 403
    assert signed_in_as(client) is None


def test_without_configuration_there_is_no_button_and_no_way_in(settings):
    settings.OIDC_RP_CLIENT_ID = ""
    settings.OIDC_OP_ISSUER = ""
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert 'id="identity-provider-link"' not in page
    assert 'name="password"' in page
    assert client.get("/accounts/oidc/authenticate/").status_code == 404
    assert client.get("/accounts/oidc/callback/").status_code == 404


def test_with_configuration_the_login_page_offers_the_button(identity_provider, settings):
    settings.OIDC_PROVIDER_NAME = "Gemeente Eindhoven"
    page = Client().get("/accounts/login/", {"next": "/products/"}).content.decode()
    assert 'id="identity-provider-link"' in page
    assert "/accounts/oidc/authenticate/?next=/products/" in page
    # Password sign-in stays.
    assert 'name="password"' in page


def test_an_unreachable_provider_is_explained(settings):
    settings.OIDC_RP_CLIENT_ID = "deelbaar"
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"  # nothing listens on the discard port
    oidc._discover.cache_clear()
    answer = Client().get("/accounts/oidc/authenticate/")
    assert answer.status_code == 503
    assert answer.context["reason"] == "unreachable"


def test_a_pending_invitation_is_handed_to_the_registered_handler(identity_provider, make_user):
    """The contract for the people app: an invitation in the session, a handler that links."""
    calls = []

    def accept(*, request, invitation, email, user, claims):
        calls.append((invitation, email, user))
        return make_user("nieuw", email=email)

    previous = oidc._invitation_handler
    oidc.register_invitation_handler(accept)
    try:
        client = Client()
        session = client.session
        session[oidc.PENDING_INVITATION_SESSION_KEY] = "invitation-42"
        session.save()
        answer = sign_in_at_provider(client, identity_provider, "nieuw@boxtel.example")
    finally:
        oidc.register_invitation_handler(previous)
    assert answer.status_code == 302
    assert calls == [("invitation-42", "nieuw@boxtel.example", None)]
    assert signed_in_as(client).username == "nieuw"
    assert oidc.PENDING_INVITATION_SESSION_KEY not in client.session

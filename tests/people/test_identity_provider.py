"""Accepting an invitation by signing in with the organisation's identity provider: the accept
page hands the invitation to the sign-in, and the handler signin calls after the provider vouched
for a verified address accepts it. (The protocol itself is tested against a real provider in
tests/signin.)"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cooperative.models import Affiliation
from people import services
from people.models import InvitationState
from people.services.identity_provider import accept_pending
from signin import oidc

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(eindhoven_membership, member_person, eindhoven):
    return services.invite(
        actor=member_person, email="kees@eindhoven.test", organisation=eindhoven, send=False
    )


def test_the_handler_is_registered():
    assert oidc._invitation_handler is accept_pending


def test_a_new_person_is_made_and_affiliated_on_the_invited_address(invitation, eindhoven):
    user = accept_pending(
        request=None,
        invitation=invitation.token,
        email="Kees@Eindhoven.test",
        user=None,
        claims={"given_name": "Kees", "family_name": "Jansen"},
    )
    assert user.username == "kees.jansen" and user.first_name == "Kees"
    assert user.email == "kees@eindhoven.test"
    assert not user.has_usable_password()
    assert Affiliation.objects.filter(user=user, organisation=eindhoven).exists()
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.ACCEPTED and invitation.accepted_by == user


def test_another_address_or_a_dead_link_accepts_nothing(invitation, member_person):
    assert (
        accept_pending(
            request=None, invitation=invitation.token, email="x@y.test", user=None, claims={}
        )
        is None
    )
    assert (
        accept_pending(
            request=None, invitation="bogus", email="kees@eindhoven.test", user=None, claims={}
        )
        is None
    )
    assert not get_user_model().objects.filter(username="kees@eindhoven.test").exists()
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.PENDING


def test_the_accept_page_starts_the_sign_in_with_the_invitation(invitation, settings):
    path = services.invitation_path(invitation.token)
    client = Client()
    assert 'id="identity-provider-form"' not in client.get(path).content.decode()
    settings.OIDC_RP_CLIENT_ID = "deelbaar"
    settings.OIDC_OP_ISSUER = "https://idp.example.test"
    assert 'id="identity-provider-form"' in client.get(path).content.decode()
    started = client.post(f"{path}identity-provider")
    assert started.status_code == 302 and "/accounts/oidc/authenticate/" in started["Location"]
    assert client.session[oidc.PENDING_INVITATION_SESSION_KEY] == invitation.token
    services.revoke(actor=invitation.invited_by, invitation=invitation)
    assert client.post(f"{path}identity-provider").status_code == 410

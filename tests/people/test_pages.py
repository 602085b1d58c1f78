"""The people pages: accepting an invitation (and the clear refusals of a dead link), an
organisation's people page, the invitations page, and password reset over a real SMTP server."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from cooperative.models import Affiliation
from people import selectors, services
from tests.mailserver import MailServer
from tests.people.conftest import link_in

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def invitation(eindhoven_membership, member_person, eindhoven, outbox, capture):
    with capture(execute=True):
        invitation = services.invite(
            actor=member_person, email="kees@eindhoven.test", organisation=eindhoven
        )
    invitation.path = link_in(outbox[-1])
    return invitation


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_a_new_person_accepts_sets_a_password_and_is_signed_in(invitation, eindhoven):
    client = client_for()
    page = client.get(invitation.path)
    assert page.status_code == 200
    assert "Eindhoven" in page.content.decode() and 'id="accept-form"' in page.content.decode()
    mismatch = client.post(
        invitation.path,
        {
            "first_name": "Kees",
            "password": "Zonnebloem-1987",
            "password_again": "Zonnebloem-1988",
        },
    )
    assert mismatch.status_code == 400
    assert 'id="id_password_again-error"' in mismatch.content.decode()
    weak = client.post(
        invitation.path,
        {"first_name": "Kees", "password": "password", "password_again": "password"},
    )
    assert weak.status_code == 400 and "error-summary" in weak.content.decode()
    done = client.post(
        invitation.path,
        {
            "first_name": "Kees",
            "last_name": "Jansen",
            "password": "Zonnebloem-1987",
            "password_again": "Zonnebloem-1987",
        },
    )
    assert done.status_code == 302
    user = get_user_model().objects.get(email="kees@eindhoven.test")
    assert Affiliation.objects.filter(user=user, organisation=eindhoven).exists()
    assert client.get("/api/v1/me/").json()["username"] == "kees.jansen"
    # The link is used now: a clear page, not a form.
    used = client_for().get(invitation.path)
    assert used.status_code == 410
    assert 'data-reason="used"' in used.content.decode()


def test_expired_revoked_and_unknown_links_get_a_clear_page(invitation, member_person):
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        expired = client_for().get(invitation.path)
        assert expired.status_code == 410
        assert 'data-reason="expired"' in expired.content.decode()
    services.revoke(actor=member_person, invitation=invitation)
    revoked = client_for().post(invitation.path, {"first_name": "K"})
    assert revoked.status_code == 410 and 'data-reason="revoked"' in revoked.content.decode()
    unknown = client_for().get("/invitations/accept/bogus-token/")
    assert unknown.status_code == 410 and 'data-reason="unknown"' in unknown.content.decode()
    assert not get_user_model().objects.filter(email="kees@eindhoven.test").exists()


def test_an_existing_account_is_asked_to_sign_in_and_then_accepts(invitation, eindhoven, person):
    kees = person("kees")
    kees.email = "kees@eindhoven.test"
    kees.save()
    page = client_for().get(invitation.path)
    assert 'id="log-in-first"' in page.content.decode()
    signed_in = client_for(kees)
    assert 'id="accept-button"' in signed_in.get(invitation.path).content.decode()
    assert signed_in.post(invitation.path).status_code == 302
    assert Affiliation.objects.filter(user=kees, organisation=eindhoven).exists()


def test_the_people_page_for_admins_staff_and_other_organisations(
    eindhoven_membership,
    mgd_membership,
    member_person,
    mgd_person,
    eindhoven,
    person,
    outbox,
    capture,
):
    kees = person("kees", eindhoven)
    url = f"/organisations/{eindhoven.pk}/people/"
    assert client_for(mgd_person).get(url).status_code == 404  # admin of A, organisation B
    assert client_for().get(url).status_code == 302  # to the login page
    staff_page = client_for(kees).get(url).content.decode()
    assert "kees" in staff_page and 'id="invite-form"' not in staff_page
    assert client_for(kees).post(url, {"email": "x@y.test", "role": "staff"}).status_code == 403

    eva = client_for(member_person)
    with capture(execute=True):
        sent = eva.post(url, {"email": "nieuw@eindhoven.test", "role": "staff"}, follow=True)
    assert "nieuw@eindhoven.test" in sent.content.decode() and len(outbox) == 1
    refused = eva.post(url, {"email": "nieuw@eindhoven.test", "role": "staff"})
    assert refused.status_code == 400 and "error-summary" in refused.content.decode()
    eva.post(f"{url}{kees.pk}/role", {"role": "admin"})
    assert Affiliation.objects.get(user=kees, organisation=eindhoven).role == "admin"
    eva.post(f"{url}{kees.pk}/remove")
    assert not Affiliation.objects.filter(user=kees, organisation=eindhoven).exists()
    assert client_for(mgd_person).post(f"{url}{member_person.pk}/remove").status_code == 404

    invitation = selectors.invitations_of(eindhoven).get()
    with capture(execute=True):
        eva.post(f"/invitations/{invitation.pk}/resend", {"next": "organisation"})
    assert len(outbox) == 2
    eva.post(f"/invitations/{invitation.pk}/revoke")
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    listing = eva.get("/invitations/").content.decode()
    assert 'data-status="revoked"' in listing
    assert client_for(mgd_person).post(f"/invitations/{invitation.pk}/resend").status_code == 404


def test_password_reset_by_mail_over_smtp(settings, person, capture):
    kees = person("kees")
    kees.email = "kees@eindhoven.test"
    kees.save()
    with MailServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        client = client_for()
        assert 'id="forgot-password"' in client.get("/accounts/login/").content.decode()
        with capture(execute=True):
            sent = client.post("/accounts/password-reset/", {"email": "KEES@eindhoven.test"})
        assert sent.status_code == 302 and sent["Location"] == "/accounts/password-reset/sent/"
        with capture(execute=True):  # an unknown address is answered the same, and gets nothing
            client.post("/accounts/password-reset/", {"email": "niemand@eindhoven.test"})
        [message] = server.wait_for(1)
    assert message["To"] == "kees@eindhoven.test"
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", text).group(1)
    form = client.get(link, follow=True)
    assert 'id="set-password-form"' in form.content.decode()
    changed = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Zonnebloem-1987", "new_password2": "Zonnebloem-1987"},
    )
    assert changed.status_code == 302
    kees.refresh_from_db()
    assert kees.check_password("Zonnebloem-1987")
    again = client_for().get(link, follow=True)
    assert 'id="reset-link-invalid"' in again.content.decode()


def test_the_product_owner_invites_to_the_team_from_a_page(
    product,
    product_owner,
    mgd,
    mgd_membership,
    mgd_person,
    outsider_person,
    eindhoven,
    outbox,
    capture,
):
    from sprints.models import Product

    Product.objects.get(pk=product.pk).participants.add(mgd)
    url = f"/products/{product.pk}/invite/"
    assert client_for(outsider_person).get(url).status_code == 404
    assert client_for(mgd_person).get(url).status_code == 403  # takes part, not its owner
    owner = client_for(product_owner)
    assert owner.get(url).status_code == 200
    with capture(execute=True):
        sent = owner.post(
            url, {"email": "tessa@boxtel.test", "organisation": mgd.pk, "team_role": "tester"}
        )
    assert sent.status_code == 302 and sent["Location"] == f"/products/{product.pk}/team/"
    invitation = selectors.invitations_of(mgd).get()
    assert (invitation.product_id, invitation.team_role) == (product.pk, "tester")
    assert len(outbox) == 1
    refused = owner.post(url, {"email": "x@y.test", "organisation": 999999, "team_role": "tester"})
    assert refused.status_code == 400


@pytest.mark.parametrize("size", [2, 12])
def test_the_people_and_invitations_pages_take_constant_queries(
    size, eindhoven_membership, member_person, eindhoven, person, django_assert_max_num_queries
):
    for number in range(size):
        person(f"p{number}", eindhoven)
        services.invite(actor=member_person, email=f"i{number}@x.test", organisation=eindhoven)
    eva = client_for(member_person)
    eva.get("/invitations/")  # the session and the navigation's first reads
    with django_assert_max_num_queries(30):
        page = eva.get(f"/organisations/{eindhoven.pk}/people/")
    assert page.content.decode().count("data-person=") == size + 1
    with django_assert_max_num_queries(30):
        listing = eva.get("/invitations/")
    assert listing.content.decode().count("data-invitation=") == size

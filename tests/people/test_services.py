"""The people services: organisation roles, invitations from sending to accepting, refusals."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from cooperative import services as cooperative_services
from cooperative.models import Affiliation, AuditRecord, OrganisationRole
from deelbaar.errors import Conflict, DomainError, NotAllowed
from people import services
from people.models import Invitation, InvitationState
from sprints import services as sprint_services
from sprints.models import TeamMember
from tests.people.conftest import link_in, token_of

pytestmark = pytest.mark.django_db


def invite(capture, **kwargs):
    with capture(execute=True):
        return services.invite(**kwargs)


def accept(capture, **kwargs):
    with capture(execute=True):
        return services.accept(**kwargs)


# --- Organisation roles --------------------------------------------------------------------------
def test_the_applicant_is_the_first_admin_of_an_approved_member(
    eindhoven_membership, member_person, eindhoven
):
    affiliation = Affiliation.objects.get(user=member_person, organisation=eindhoven)
    assert affiliation.role == OrganisationRole.ADMIN
    assert eindhoven_membership.applied_by == member_person
    record = AuditRecord.objects.get(action="membership.approved", organisation=eindhoven)
    assert record.changes["first_admin"] == [None, "eva"]


def test_an_application_alone_makes_nobody_admin(woerden_application, applicant_person, woerden):
    assert Affiliation.objects.get(user=applicant_person, organisation=woerden).role == "staff"


def test_admins_change_roles_but_the_last_admin_stays(
    eindhoven_membership, member_person, eindhoven, person
):
    colleague = person("kees", eindhoven)
    cooperative_services.change_organisation_role(
        actor=member_person, organisation=eindhoven, user=colleague, role="admin"
    )
    assert Affiliation.objects.get(user=colleague, organisation=eindhoven).role == "admin"
    cooperative_services.change_organisation_role(
        actor=colleague, organisation=eindhoven, user=member_person, role="staff"
    )
    with pytest.raises(Conflict) as refused:
        cooperative_services.remove_person(actor=colleague, organisation=eindhoven, user=colleague)
    assert refused.value.code == "last_admin"
    # Staff may not manage people.
    with pytest.raises(NotAllowed):
        cooperative_services.change_organisation_role(
            actor=member_person, organisation=eindhoven, user=colleague, role="staff"
        )


def test_removing_a_person_keeps_the_audit_and_tells_the_apps(
    eindhoven_membership, member_person, eindhoven, person
):
    from cooperative.signals import person_removed

    heard = []

    def receiver(sender, organisation, user, actor, **kwargs):
        heard.append((organisation, user, actor))

    person_removed.connect(receiver)
    try:
        colleague = person("kees", eindhoven)
        cooperative_services.remove_person(
            actor=member_person, organisation=eindhoven, user=colleague, reason="Vertrokken"
        )
    finally:
        person_removed.disconnect(receiver)
    assert heard == [(eindhoven, colleague, member_person)]
    assert not Affiliation.objects.filter(user=colleague).exists()
    record = AuditRecord.objects.get(action="organisation.person_removed")
    assert record.reason == "Vertrokken" and record.changes["person"] == ["kees", None]


def test_an_admin_of_one_organisation_manages_no_other(
    eindhoven_membership, mgd_membership, member_person, mgd_person, mgd
):
    with pytest.raises(NotAllowed):
        cooperative_services.change_organisation_role(
            actor=member_person, organisation=mgd, user=mgd_person, role="staff"
        )
    with pytest.raises(NotAllowed):
        services.invite(actor=member_person, email="x@boxtel.test", organisation=mgd)


# --- Invitations ---------------------------------------------------------------------------------
def test_an_invitation_is_mailed_with_a_link_whose_token_is_not_stored(
    eindhoven_membership, member_person, eindhoven, outbox, django_capture_on_commit_callbacks
):
    invitation = invite(
        django_capture_on_commit_callbacks,
        actor=member_person,
        email="  Kees@Eindhoven.TEST ",
        organisation=eindhoven,
    )
    assert invitation.email == "kees@eindhoven.test"
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    [message] = outbox
    assert message.to == ["kees@eindhoven.test"]
    assert "Eindhoven" in message.subject
    path = link_in(message)
    token = token_of(path)
    assert len(token) >= 40
    stored = Invitation.objects.values_list("token_hash", flat=True).get()
    assert token not in stored and stored == services.token_hash(token)
    html = message.alternatives[0][0]
    assert path in html
    assert AuditRecord.objects.filter(action="invitation.sent", organisation=eindhoven).exists()


def test_accepting_creates_the_account_with_a_checked_password(
    eindhoven_membership, member_person, eindhoven, django_capture_on_commit_callbacks
):
    invitation = invite(
        django_capture_on_commit_callbacks,
        actor=member_person,
        email="kees@eindhoven.test",
        organisation=eindhoven,
    )
    with pytest.raises(DomainError) as weak:
        services.accept(token=invitation.token, password="12345678", first_name="Kees")
    assert {field for field, _code, _message in weak.value.errors} == {"password"}
    assert not get_user_model().objects.filter(email="kees@eindhoven.test").exists()

    accepted, user = accept(
        django_capture_on_commit_callbacks,
        token=invitation.token,
        password="Zonnebloem-1987",
        first_name="Kees",
        last_name="Jansen",
    )
    assert accepted.state == InvitationState.ACCEPTED and accepted.accepted_by == user
    assert user.check_password("Zonnebloem-1987") and user.username == "kees.jansen"
    assert user.email == "kees@eindhoven.test"
    assert Affiliation.objects.get(user=user, organisation=eindhoven).role == "staff"
    assert AuditRecord.objects.filter(action="invitation.accepted", actor=user).exists()

    with pytest.raises(services.InvitationUnusable) as reused:
        services.accept(token=invitation.token, password="Zonnebloem-1987", first_name="Kees")
    assert reused.value.reason == "used"


def test_expired_revoked_and_replaced_links_are_refused(
    eindhoven_membership, member_person, eindhoven, outbox, django_capture_on_commit_callbacks
):
    first = invite(
        django_capture_on_commit_callbacks,
        actor=member_person,
        email="a@eindhoven.test",
        organisation=eindhoven,
    )
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        with pytest.raises(services.InvitationUnusable) as expired:
            services.find(first.token)
        assert expired.value.reason == "expired"
        # Sending it again gives a new week and a new link; the old link is dead.
        with django_capture_on_commit_callbacks(execute=True):
            again = services.resend(actor=member_person, invitation=first)
        assert services.find(again.token).pk == first.pk
        with pytest.raises(services.InvitationUnusable) as old:
            services.find(first.token)
        assert old.value.reason == "unknown"
    assert len(outbox) == 2 and token_of(link_in(outbox[1])) == again.token

    second = invite(
        django_capture_on_commit_callbacks,
        actor=member_person,
        email="b@eindhoven.test",
        organisation=eindhoven,
    )
    services.revoke(actor=member_person, invitation=second, reason="Verkeerd adres")
    with pytest.raises(services.InvitationUnusable) as revoked:
        services.accept(token=second.token, password="Zonnebloem-1987", first_name="B")
    assert revoked.value.reason == "revoked"
    with pytest.raises(Conflict):
        services.resend(actor=member_person, invitation=second)
    actions = set(
        AuditRecord.objects.filter(
            organisation=eindhoven, action__startswith="invitation."
        ).values_list("action", flat=True)
    )
    assert actions == {"invitation.sent", "invitation.resent", "invitation.revoked"}


def test_one_open_invitation_per_address_and_none_for_who_works_there(
    eindhoven_membership, member_person, eindhoven, person
):
    services.invite(actor=member_person, email="a@eindhoven.test", organisation=eindhoven)
    with pytest.raises(Conflict) as twice:
        services.invite(actor=member_person, email="A@eindhoven.test", organisation=eindhoven)
    assert twice.value.code == "already_invited"
    colleague = person("kees", eindhoven)
    colleague.email = "kees@eindhoven.test"
    colleague.save()
    with pytest.raises(Conflict) as there:
        services.invite(actor=member_person, email="kees@eindhoven.test", organisation=eindhoven)
    assert there.value.code == "already_member"


def test_an_existing_account_accepts_signed_in_and_only_its_own(
    eindhoven_membership,
    mgd_membership,
    member_person,
    mgd_person,
    mgd,
    person,
    django_capture_on_commit_callbacks,
):
    """Someone of Eindhoven also starts working for MijnGemeenteDichtbij."""
    kees = person("kees")
    kees.email = "kees@example.test"
    kees.save()
    invitation = invite(
        django_capture_on_commit_callbacks,
        actor=mgd_person,
        email="kees@example.test",
        organisation=mgd,
    )
    with pytest.raises(Conflict):  # not signed in: a new account is not made beside it
        services.accept(token=invitation.token, password="Zonnebloem-1987", first_name="K")
    with pytest.raises(NotAllowed):  # someone else's account
        services.accept(token=invitation.token, user=member_person)
    _invitation, user = accept(
        django_capture_on_commit_callbacks, token=invitation.token, user=kees
    )
    assert user == kees and Affiliation.objects.filter(user=kees, organisation=mgd).exists()


def test_a_product_owner_invites_a_tester_of_a_participating_municipality(
    zob,
    eindhoven,
    eindhoven_membership,
    mgd,
    mgd_membership,
    utrecht,
    member_person,
    django_capture_on_commit_callbacks,
):
    product = sprint_services.create_product(
        actor=member_person,
        cooperative=zob,
        owner=eindhoven,
        participants=[mgd],
        name="Bezwaar en beroep",
        key="BEZ",
    )
    with pytest.raises(NotAllowed):  # only the organisation's admins make admins
        services.invite(
            actor=member_person,
            email="t@mgd.test",
            organisation=mgd,
            role="admin",
            product=product,
            team_role="tester",
        )
    with pytest.raises(DomainError) as outside:
        services.invite(
            actor=member_person,
            email="t@utrecht.test",
            organisation=utrecht,
            product=product,
            team_role="tester",
        )
    assert outside.value.field == "organisation"
    with pytest.raises(DomainError):
        services.invite(
            actor=member_person,
            email="t@mgd.test",
            organisation=mgd,
            product=product,
            team_role="product_owner",
        )
    invitation = invite(
        django_capture_on_commit_callbacks,
        actor=member_person,
        email="t@mgd.test",
        organisation=mgd,
        product=product,
        team_role="tester",
    )
    _invitation, tessa = accept(
        django_capture_on_commit_callbacks,
        token=invitation.token,
        password="Zonnebloem-1987",
        first_name="Tessa",
    )
    assert Affiliation.objects.get(user=tessa, organisation=mgd).role == "staff"
    assert TeamMember.objects.filter(product=product, user=tessa, role="tester").exists()
    assert AuditRecord.objects.filter(action="product.team_member_added").exists()


def test_the_invitation_mail_subject_names_who_invites(
    eindhoven_membership, member_person, eindhoven, outbox, django_capture_on_commit_callbacks
):
    from django.utils import translation

    with translation.override("en"):
        invite(
            django_capture_on_commit_callbacks,
            actor=member_person,
            email="kees@eindhoven.test",
            organisation=eindhoven,
        )
    [message] = outbox
    inviter = member_person.get_full_name() or member_person.get_username()
    assert message.subject == f"{inviter} invites you to Deelbaar for {eindhoven.name}"

"""A small cooperative built through the services, with one person per role.

zob            Zuidoost-Brabant: per inhabitant € 0.10,
               minimum € 1,000, maximum € 25,000
eindhoven      municipality, active pilot of zob        (person: `member_person`)
mgd            MijnGemeenteDichtbij, joint arrangement representing boxtel and
               sint_michielsgestel, active pilot of zob
woerden        municipality, applied to zob              (person: `applicant_person`)
utrecht        municipality, no membership anywhere      (person: `outsider_person`)
gemboxx        supplier
dimpact        a second cooperative                      (coordinator: `other_coordinator`)
coordinator    coordinator of zob
admin          superuser
"""

from decimal import Decimal

import pytest
from django.utils.timezone import localdate

from cooperative import services
from cooperative.models import ContributionKind, MembershipRole, OrganisationKind


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "a-Good-passw0rd")


@pytest.fixture
def person(django_user_model):
    """Make a person working for the given organisations."""

    def make(username, *organisations, admin_user=None):
        user = django_user_model.objects.create_user(
            username, password="a-Good-passw0rd", first_name=username.title()
        )
        actor = admin_user or django_user_model.objects.filter(is_superuser=True).first()
        for organisation in organisations:
            services.affiliate(actor=actor, organisation=organisation, user=user)
        return user

    return make


@pytest.fixture
def municipality(admin):
    def make(name, cbs_code, inhabitants):
        return services.register_organisation(
            actor=admin,
            kind=OrganisationKind.MUNICIPALITY,
            name=name,
            cbs_code=cbs_code,
            inhabitants=inhabitants,
        )

    return make


@pytest.fixture
def eindhoven(municipality):
    return municipality("Eindhoven", "GM0772", 243_730)


@pytest.fixture
def boxtel(municipality):
    return municipality("Boxtel", "GM0757", 31_500)


@pytest.fixture
def sint_michielsgestel(municipality):
    return municipality("Sint-Michielsgestel", "GM0845", 29_500)


@pytest.fixture
def woerden(municipality):
    return municipality("Woerden", "GM0632", 53_000)


@pytest.fixture
def utrecht(municipality):
    return municipality("Utrecht", "GM0344", 370_000)


@pytest.fixture
def mgd(admin, boxtel, sint_michielsgestel):
    return services.register_organisation(
        actor=admin,
        kind=OrganisationKind.JOINT_ARRANGEMENT,
        name="MijnGemeenteDichtbij",
        represents=[boxtel, sint_michielsgestel],
    )


@pytest.fixture
def gemboxx(admin):
    return services.register_organisation(
        actor=admin, kind=OrganisationKind.SUPPLIER, name="Gemboxx"
    )


@pytest.fixture
def zob(admin):
    return services.create_cooperative(
        actor=admin,
        name="ICT Samenwerking Zuidoost-Brabant",
        slug="zuidoost-brabant",
        description="Gemeenten bouwen samen.",
        contribution_kind=ContributionKind.PER_INHABITANT,
        contribution_amount=Decimal("0.10"),
        contribution_minimum=Decimal("1000"),
        contribution_maximum=Decimal("25000"),
    )


@pytest.fixture
def dimpact(admin):
    return services.create_cooperative(
        actor=admin,
        name="Dimpact",
        slug="dimpact",
        contribution_kind=ContributionKind.FIXED,
        contribution_amount=Decimal("15000"),
    )


@pytest.fixture
def coordinator(admin, zob, person):
    user = person("carla")
    services.appoint_coordinator(actor=admin, cooperative=zob, user=user)
    return user


@pytest.fixture
def other_coordinator(admin, dimpact, person):
    user = person("dirk")
    services.appoint_coordinator(actor=admin, cooperative=dimpact, user=user)
    return user


def make_active(*, cooperative, organisation, applicant, coordinator, role=MembershipRole.MEMBER):
    membership = services.apply_for_membership(
        actor=applicant, cooperative=cooperative, organisation=organisation, role=role
    )
    membership = services.approve_membership(actor=coordinator, membership=membership)
    return services.record_payment(
        actor=coordinator,
        membership=membership,
        paid_on=localdate(),
        amount=membership.contribution_due,
    )


@pytest.fixture
def member_person(person, eindhoven):
    return person("eva", eindhoven)


@pytest.fixture
def mgd_person(person, mgd):
    return person("maarten", mgd)


@pytest.fixture
def applicant_person(person, woerden):
    return person("wim", woerden)


@pytest.fixture
def outsider_person(person, utrecht):
    return person("uma", utrecht)


@pytest.fixture
def eindhoven_membership(zob, eindhoven, member_person, coordinator):
    return make_active(
        cooperative=zob,
        organisation=eindhoven,
        applicant=member_person,
        coordinator=coordinator,
        role=MembershipRole.PILOT,
    )


@pytest.fixture
def mgd_membership(zob, mgd, mgd_person, coordinator):
    return make_active(
        cooperative=zob,
        organisation=mgd,
        applicant=mgd_person,
        coordinator=coordinator,
        role=MembershipRole.PILOT,
    )


@pytest.fixture
def woerden_application(zob, woerden, applicant_person):
    return services.apply_for_membership(
        actor=applicant_person, cooperative=zob, organisation=woerden
    )


@pytest.fixture
def cooperative_world(
    zob,
    dimpact,
    coordinator,
    other_coordinator,
    eindhoven_membership,
    mgd_membership,
    woerden_application,
    outsider_person,
    gemboxx,
    admin,
):
    """Everything above at once, for permission matrices."""
    return {
        "zob": zob,
        "dimpact": dimpact,
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "member_person": eindhoven_membership
        and eindhoven_membership.organisation.affiliations.first().user,
        "eindhoven_membership": eindhoven_membership,
        "mgd_membership": mgd_membership,
        "woerden_application": woerden_application,
        "outsider_person": outsider_person,
        "admin": admin,
    }

"""Fixtures of the adoption tests: a member in every membership state, made through the
cooperative's services, and helpers to adopt and take into use.

eindhoven     active pilot          eva (member_person)
mgd           active pilot, joint arrangement for boxtel and sint_michielsgestel
              maarten (mgd_person); bas works for boxtel
woerden       applied               wim (applicant_person)
veldhoven     approved, unpaid      vera
helmond       left                  henk
best          rejected              bert
utrecht       no membership         uma (outsider_person)
"""

import pytest

from cooperative import services as cooperative_services
from solutions.services import adoption as adoption_services
from tests.cooperative.fixtures import make_active

# Who is refused an adoption, and the reason code the refusal names (API and pages alike).
REFUSED = [
    ("applicant_person", "membership_applied"),
    ("unpaid_person", "contribution_unpaid"),
    ("left_person", "membership_left"),
    ("rejected_person", "membership_rejected"),
    ("outsider_person", "no_membership"),
]


@pytest.fixture(autouse=True)
def pilots_active(eindhoven_membership, mgd_membership):
    """Both pilots of Zuidoost-Brabant are active members in every adoption test."""


@pytest.fixture
def boxtel_person(person, boxtel, mgd_membership):
    return person("bas", boxtel)


@pytest.fixture
def unpaid_person(person, municipality, zob, coordinator):
    veldhoven = municipality("Veldhoven", "GM0861", 45_800)
    user = person("vera", veldhoven)
    membership = cooperative_services.apply_for_membership(
        actor=user, cooperative=zob, organisation=veldhoven
    )
    cooperative_services.approve_membership(actor=coordinator, membership=membership)
    return user


@pytest.fixture
def left_person(person, municipality, zob, coordinator):
    helmond = municipality("Helmond", "GM0794", 92_900)
    user = person("henk", helmond)
    membership = make_active(
        cooperative=zob, organisation=helmond, applicant=user, coordinator=coordinator
    )
    cooperative_services.leave_cooperative(actor=user, membership=membership, reason="Bezuiniging")
    return user


@pytest.fixture
def rejected_person(person, municipality, zob, coordinator):
    best = municipality("Best", "GM0753", 30_400)
    user = person("bert", best)
    membership = cooperative_services.apply_for_membership(
        actor=user, cooperative=zob, organisation=best
    )
    cooperative_services.reject_membership(
        actor=coordinator, membership=membership, reason="Buiten de regio"
    )
    return user


def organisation_of(user):
    return user.organisations.get()


def adopt(user, solution, organisation=None):
    return adoption_services.request_adoption(
        actor=user, solution=solution, organisation=organisation or organisation_of(user)
    )


def in_use(user, solution, organisation=None, release=None):
    adoption = adopt(user, solution, organisation)
    return adoption_services.take_into_use(actor=user, adoption=adoption, release=release)

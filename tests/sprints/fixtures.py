"""Sprints tests reuse the cooperative world (built through the services) and add a product."""

import pytest
from django.utils.timezone import localdate

# Aliased: the star import below brings the cooperative's `services` into this module.
from sprints import services as sprints_services
from sprints.models import TeamRole


@pytest.fixture
def product_owner(member_person):
    """Eva of Eindhoven starts the product, so she is its product owner."""
    return member_person


@pytest.fixture
def product(zob, eindhoven, eindhoven_membership, product_owner):
    return sprints_services.create_product(
        actor=product_owner,
        cooperative=zob,
        owner=eindhoven,
        name="Subsidiesysteem",
        key="SUB",
        vision="Subsidies aanvragen en toekennen zonder papier.",
    )


@pytest.fixture
def developer(person, gemboxx, product, product_owner):
    user = person("dani", gemboxx)
    sprints_services.add_team_member(
        actor=product_owner, product=product, user=user, role=TeamRole.DEVELOPER
    )
    return user


@pytest.fixture
def tester(person, eindhoven, product, product_owner):
    user = person("tessa", eindhoven)
    sprints_services.add_team_member(
        actor=product_owner, product=product, user=user, role=TeamRole.TESTER
    )
    return user


@pytest.fixture
def second_tester(person, eindhoven, product, product_owner):
    user = person("timo", eindhoven)
    sprints_services.add_team_member(
        actor=product_owner, product=product, user=user, role=TeamRole.TESTER
    )
    return user


@pytest.fixture
def make_item(product, product_owner):
    def make(title="Aanvraagformulier", *, ready=True, estimate=3, **extra):
        return sprints_services.create_item(
            actor=product_owner,
            product=product,
            title=title,
            acceptance_criteria=["Het formulier bewaart een concept"] if ready else [],
            estimate=estimate if ready else None,
            **extra,
        )

    return make


@pytest.fixture
def active_sprint(product, product_owner, make_item):
    """Sprint 1, active, with two committed 3-point items."""
    sprint = sprints_services.plan_sprint(
        actor=product_owner, product=product, start=localdate(), goal="Eerste aanvraag"
    )
    items = [make_item("Formulier"), make_item("Bevestiging")]
    sprints_services.commit_items(actor=product_owner, sprint=sprint, items=items)
    return sprints_services.start_sprint(actor=product_owner, sprint=sprint)

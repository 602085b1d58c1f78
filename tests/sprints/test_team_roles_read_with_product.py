"""`with_team_roles`: the API reads its product with the person's team roles in the same
statement; the checks of that request then ask nothing more, and must see exactly the roles
the team table holds (one, several, or none)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from sprints import selectors, services
from sprints.models import Product, TeamRole
from sprints.rules import _roles, remember_team_roles, with_team_roles

pytestmark = pytest.mark.django_db


def _read(product, user):
    read = with_team_roles(Product.objects.all(), user).get(pk=product.pk)
    return remember_team_roles(read, user)


def test_each_person_s_roles_come_with_the_product_and_no_check_asks_again(
    product, product_owner, developer, tester, person, gemboxx, django_assert_num_queries
):
    # Someone with two roles, and someone of the same organisation with none.
    services.add_team_member(
        actor=product_owner, product=product, user=developer, role=TeamRole.TESTER
    )
    outsider = person("otto", gemboxx)
    expected = {
        product_owner: {TeamRole.PRODUCT_OWNER},
        developer: {TeamRole.DEVELOPER, TeamRole.TESTER},
        tester: {TeamRole.TESTER},
        outsider: set(),
    }
    for user, roles in expected.items():
        with django_assert_num_queries(1):
            read = _read(product, user)
            assert _roles(user, read) == roles
            assert _roles(user, read) == roles  # remembered, not asked again


def test_an_anonymous_visitor_reads_the_product_without_roles(product):
    read = with_team_roles(Product.objects.all(), AnonymousUser()).get(pk=product.pk)
    assert not hasattr(read, "_team_role_mask")


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_api_s_written_out_read_is_the_querysets_read(
    product, product_owner, developer, tester, person, gemboxx, django_assert_num_queries
):
    # selectors.product_for_request is with_team_roles(...select_related("cooperative")),
    # written out: the same objects, the same roles, in one statement.
    services.add_team_member(
        actor=product_owner, product=product, user=developer, role=TeamRole.TESTER
    )
    outsider = person("otto", gemboxx)
    for user in (product_owner, developer, tester, outsider):
        with django_assert_num_queries(1):
            read = remember_team_roles(selectors.product_for_request(str(product.pk), user), user)
            roles = _roles(user, read)
        expected = with_team_roles(Product.objects.select_related("cooperative"), user).get(
            pk=product.pk
        )
        assert _fields(read) == _fields(expected)
        assert _fields(read.cooperative) == _fields(expected.cooperative)
        assert roles == _roles(user, remember_team_roles(expected, user))
    anonymous = selectors.product_for_request(product.pk, AnonymousUser())
    assert anonymous == product and not hasattr(anonymous, "_team_role_mask")


@pytest.mark.parametrize("pk", ["0", "-1", str(2**63), "12abc", "", None, "99999"])
def test_a_product_that_cannot_be_there_is_none_not_an_error(product, product_owner, pk):
    assert selectors.product_for_request(pk, product_owner) is None

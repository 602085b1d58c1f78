"""Who may do what on a product. Roles come from the team; coordinators oversee.

Check with `deelbaar.permissions.allowed()` / `require()`.
"""

import rules

from cooperative.rules import coordinates
from sprints.models import TeamMember, TeamRole


def _has_role(user, product, *roles) -> bool:
    if product is None or not user.is_authenticated:
        return False
    return TeamMember.objects.filter(product=product, user=user, role__in=roles).exists()


@rules.predicate
def is_product_owner(user, product):
    return _has_role(user, product, TeamRole.PRODUCT_OWNER)


@rules.predicate
def is_developer(user, product):
    return _has_role(user, product, TeamRole.DEVELOPER)


@rules.predicate
def is_tester(user, product):
    return _has_role(user, product, TeamRole.TESTER)


@rules.predicate
def coordinates_product(user, product):
    return product is not None and coordinates(user, product.cooperative)


@rules.predicate
def works_for_product_organisation(user, product):
    if product is None or not user.is_authenticated:
        return False
    organisation_ids = {product.owner_id, *product.participants.values_list("pk", flat=True)}
    return user.affiliations.filter(organisation_id__in=organisation_ids).exists()


is_team_member = is_product_owner | is_developer | is_tester

rules.add_perm(
    "sprints.view_product", is_team_member | coordinates_product | works_for_product_organisation
)
rules.add_perm("sprints.manage_team", is_product_owner | coordinates_product)
rules.add_perm("sprints.change_product", is_product_owner | coordinates_product)
rules.add_perm("sprints.edit_backlog", is_product_owner | is_developer)
rules.add_perm("sprints.order_backlog", is_product_owner)
rules.add_perm("sprints.plan_sprint", is_product_owner)
rules.add_perm("sprints.work_on_items", is_product_owner | is_developer)
rules.add_perm("sprints.prepare_increment", is_product_owner | is_developer)
# Segregation of duties: whoever builds or steers the product does not accept it.
rules.add_perm("sprints.give_verdict", is_tester & ~is_product_owner & ~is_developer)

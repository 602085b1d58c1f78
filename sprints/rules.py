"""Who may do what on a product. Roles come from the team; coordinators oversee.

Check with `deelbaar.permissions.allowed()` / `require()`.
"""

from typing import Any

import rules
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL

from cooperative.rules import coordinates
from deelbaar.typing import Person, User
from sprints.models import Product, TeamMember, TeamRole

# Where a product read for one request keeps the team roles its checks have looked up.
_ROLES_MEMO = "_team_roles_by_user"
# The annotation `with_team_roles` adds: the person's roles as bits, one per role in
# TeamRole's order (1 product owner, 2 developer, 4 tester).
_ROLE_MASK = "_team_role_mask"
_ROLE_BITS = {role: 1 << index for index, role in enumerate(TeamRole.values)}
# Set on a product whose memo holds the whole team (`remember_whole_team`).
_WHOLE_TEAM = "_team_roles_complete"


def with_team_roles(queryset: QuerySet[Product], user: Person | None) -> QuerySet[Product]:
    """Products with the person's team roles read in the same statement, for
    `remember_team_roles(product, user)`: a request that reads its product this way asks no
    separate question about the team.

    One subquery written out rather than an EXISTS per role: the API reads its product this
    way on every request, and building three subqueries through the ORM cost more than the
    statement itself (~2 ms of a 13 ms move)."""
    if user is None or not user.is_authenticated:
        return queryset
    # Only this module's constants are in the text; the person's id is a parameter.
    mask = RawSQL(TEAM_ROLE_MASK, [user.pk], output_field=IntegerField())  # noqa: S611
    return queryset.annotate(**{_ROLE_MASK: mask})


def _team_role_mask() -> str:
    whens = " ".join(f"WHEN '{role}' THEN {bit}" for role, bit in _ROLE_BITS.items())
    members = TeamMember._meta.db_table
    products = Product._meta.db_table
    return (
        f'SELECT COALESCE(SUM(CASE "role" {whens} ELSE 0 END), 0) FROM "{members}" '  # noqa: S608
        f'WHERE "{members}"."product_id" = "{products}"."id" AND "{members}"."user_id" = %s'
    )


# The person's team roles on the product of the enclosing statement, as bits (`_ROLE_BITS`);
# one parameter, the person's id.
TEAM_ROLE_MASK = _team_role_mask()


def holding_team_roles(product: Product, user: Person | None, mask: int) -> Product:
    """Give a product read with TEAM_ROLE_MASK for `user` the mask, as `with_team_roles` does."""
    if user is not None and user.is_authenticated:
        setattr(product, _ROLE_MASK, mask)
    return product


def remember_team_roles(product: Product | None, user: Person | None = None) -> Product | None:
    """Let the permission checks on this product object ask for a person's roles once.

    For an object read for one request (a view checks `view_product`, then the action's
    permission, then the service checks again): without it each check asks the database
    anew. Only for such short-lived objects, since a change of the team made meanwhile would
    not be seen. A product read through `with_team_roles` for `user` already holds that
    person's roles: they are remembered without a query.
    """
    if product is not None and not hasattr(product, _ROLES_MEMO):
        setattr(product, _ROLES_MEMO, {})
    if product is not None and user is not None and user.is_authenticated:
        mask = getattr(product, _ROLE_MASK, None)
        if mask is not None:
            roles = {role for role, bit in _ROLE_BITS.items() if mask & bit}
            getattr(product, _ROLES_MEMO)[user.pk] = roles
    return product


def _roles(user: User, product: Product) -> set[str]:
    memo: dict[Any, set[str]] | None = getattr(product, _ROLES_MEMO, None)
    if memo is not None and user.pk in memo:
        return memo[user.pk]
    if memo is not None and getattr(product, _WHOLE_TEAM, False):
        return set()
    # All of the person's roles in one query: the rules ask for several in a row.
    roles = set(
        TeamMember.objects.filter(product=product, user=user).values_list("role", flat=True)
    )
    if memo is not None:
        memo[user.pk] = roles
    return roles


def remember_whole_team(product: Product) -> Product:
    """Read every team member's roles of `product` in one query, for checks about many people at
    once (who of the testers may give verdicts): each check then asks nothing more."""
    memo: dict[int, set[str]] = {}
    for user_id, role in TeamMember.objects.filter(product=product).values_list("user_id", "role"):
        memo.setdefault(user_id, set()).add(role)
    remember_team_roles(product)
    getattr(product, _ROLES_MEMO).update(memo)
    # Nobody else is on the team: their checks need no query either.
    setattr(product, _WHOLE_TEAM, True)
    return product


def _has_role(user: Person, product: Product | None, *roles: str) -> bool:
    if product is None or not user.is_authenticated:
        return False
    return not _roles(user, product).isdisjoint(roles)


@rules.predicate
def is_product_owner(user: Person, product: Product | None) -> bool:
    return _has_role(user, product, TeamRole.PRODUCT_OWNER)


@rules.predicate
def is_developer(user: Person, product: Product | None) -> bool:
    return _has_role(user, product, TeamRole.DEVELOPER)


@rules.predicate
def is_tester(user: Person, product: Product | None) -> bool:
    return _has_role(user, product, TeamRole.TESTER)


@rules.predicate
def coordinates_product(user: Person, product: Product | None) -> bool:
    return product is not None and coordinates(user, product.cooperative)


@rules.predicate
def works_for_product_organisation(user: Person, product: Product | None) -> bool:
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
# Labels and epics are part of the backlog: whoever edits it manages them (issue 15).
rules.add_perm("sprints.manage_labels", is_product_owner | is_developer)
# Who may edit the backlog gives its items to someone of the team (the product owner to
# anyone who builds, a developer to themself or a colleague: a Scrum team divides its work).
rules.add_perm("sprints.assign_item", is_product_owner | is_developer)
rules.add_perm("sprints.plan_sprint", is_product_owner)
rules.add_perm("sprints.work_on_items", is_product_owner | is_developer)
rules.add_perm("sprints.prepare_increment", is_product_owner | is_developer)
# Segregation of duties: whoever builds or steers the product does not accept it.
rules.add_perm("sprints.give_verdict", is_tester & ~is_product_owner & ~is_developer)

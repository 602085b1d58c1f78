"""Who may do what in the library. The catalogue is public; everything that changes it is
checked here, for the object at hand. Check with `deelbaar.permissions.allowed()` /
`require()`.

Entitlement to adopt (an active membership, joint arrangements included) is a business rule
with its own explanation, so the adoption service checks it through
`cooperative.selectors.organisation_is_entitled`, after `solutions.adopt_for` here.
"""

import rules

from cooperative.rules import coordinates, works_for
from deelbaar.typing import Person
from solutions.models import PublicationRequest, Solution
from sprints.models import Increment
from sprints.rules import is_product_owner


@rules.predicate
def owns_increment_product(user: Person, increment: Increment | None) -> bool:
    return increment is not None and is_product_owner(user, increment.product)


@rules.predicate
def coordinates_request(user: Person, publication_request: PublicationRequest | None) -> bool:
    return publication_request is not None and coordinates(
        user, publication_request.increment.product.cooperative
    )


@rules.predicate
def made_request(user: Person, publication_request: PublicationRequest | None) -> bool:
    return publication_request is not None and publication_request.requested_by_id == user.pk


@rules.predicate
def steers_request(user: Person, publication_request: PublicationRequest | None) -> bool:
    """The person asked for this publication or owns the product: they do not decide on it."""
    return publication_request is not None and (
        made_request(user, publication_request)
        or is_product_owner(user, publication_request.increment.product)
    )


@rules.predicate
def coordinates_solution(user: Person, solution: Solution | None) -> bool:
    return solution is not None and coordinates(user, solution.cooperative)


@rules.predicate
def owns_source_product(user: Person, solution: Solution | None) -> bool:
    return (
        solution is not None
        and solution.source_product_id is not None
        and is_product_owner(user, solution.source_product)
    )


rules.add_perm("solutions.request_publication", owns_increment_product)
rules.add_perm("solutions.view_publication_request", coordinates_request | made_request)
# Segregation of duties: a coordinator who owns the product or made the request does not decide
# on it; another coordinator of the cooperative does.
rules.add_perm("solutions.decide_publication", coordinates_request & ~steers_request)
rules.add_perm("solutions.withdraw_publication", made_request)
rules.add_perm("solutions.edit_solution", coordinates_solution | owns_source_product)
# A coordinator brings existing software into the library from its publiccode.yml.
rules.add_perm("solutions.import_solution", coordinates)
# Adoptions and reviews are made by a person of the organisation itself (object: organisation).
rules.add_perm("solutions.act_for_organisation", works_for)

"""Reads of the cooperative app, with their joins decided once. One module per domain:

- `entitlement`: who may reuse a cooperative's solutions, the one rule later apps call.
- `cooperatives`: the cooperatives, their lists and reach.
- `memberships`: a cooperative's memberships, per page and per reader.
- `organisations`: organisations, their people, and who manages them.
- `roles`: coordinators and the organisations a person belongs to.
- `audit`: who reads which part of the audit trail.

Every public name is importable from `cooperative.selectors`.
"""

from cooperative.selectors.audit import audit_visible_to
from cooperative.selectors.cooperatives import (
    cooperative_detail,
    cooperatives_list,
    reach,
    reach_subquery,
    reached_municipalities,
)
from cooperative.selectors.entitlement import (
    entitled_organisations,
    organisation_is_entitled,
    user_is_entitled,
)
from cooperative.selectors.memberships import (
    members_for_page,
    membership_queue,
    memberships_of,
)
from cooperative.selectors.organisations import (
    cooperatives_of_organisation,
    coordinates_organisation,
    is_organisation_admin,
    organisation_people,
    organisations_list,
    organisations_managed_by,
)
from cooperative.selectors.roles import (
    coordinated_cooperatives,
    is_coordinator,
    organisations_of,
    roles_of,
)

__all__ = [
    "audit_visible_to",
    "cooperative_detail",
    "cooperatives_list",
    "cooperatives_of_organisation",
    "coordinated_cooperatives",
    "coordinates_organisation",
    "entitled_organisations",
    "is_coordinator",
    "is_organisation_admin",
    "members_for_page",
    "membership_queue",
    "memberships_of",
    "organisation_is_entitled",
    "organisation_people",
    "organisations_list",
    "organisations_managed_by",
    "organisations_of",
    "reach",
    "reach_subquery",
    "reached_municipalities",
    "roles_of",
    "user_is_entitled",
]

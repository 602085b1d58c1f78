"""Every state change of the cooperative app: one function, one transaction, one audit record.

Each service checks the permission and the transition it needs, writes the change with its
audit record in one transaction, and notifies people after the commit. Errors are domain
errors (`deelbaar.errors`) with a message that says what is wrong.

One module per part of the work; every public name is importable from `cooperative.services`.
"""

from cooperative.services.cooperatives import (
    POLICY_FIELDS,
    appoint_coordinator,
    change_contribution_policy,
    create_cooperative,
)
from cooperative.services.memberships import (
    MEMBER_KINDS,
    MEMBERSHIP_FIELDS,
    apply_for_membership,
    approve_membership,
    contribution_quote,
    leave_cooperative,
    record_payment,
    reject_membership,
)
from cooperative.services.organisations import (
    ORGANISATION_FIELDS,
    add_person,
    affiliate,
    change_organisation_role,
    register_organisation,
    remove_person,
    update_organisation,
)

__all__ = [
    "MEMBERSHIP_FIELDS",
    "MEMBER_KINDS",
    "ORGANISATION_FIELDS",
    "POLICY_FIELDS",
    "add_person",
    "affiliate",
    "apply_for_membership",
    "appoint_coordinator",
    "approve_membership",
    "change_contribution_policy",
    "change_organisation_role",
    "contribution_quote",
    "create_cooperative",
    "leave_cooperative",
    "record_payment",
    "register_organisation",
    "reject_membership",
    "remove_person",
    "update_organisation",
]

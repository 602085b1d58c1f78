"""The cooperative pages: thin views that read through selectors and change through services.

One module per page family; urls.py names every view as `views.<name>`.
"""

from cooperative.views.audit import (
    AUDIT_PAGE_SIZE,
    audit_trail,
)
from cooperative.views.cooperatives import (
    cooperative_detail,
    cooperative_list,
    join,
)
from cooperative.views.memberships import (
    QUEUE_STATES,
    approve,
    membership_queue,
    record_payment,
    reject,
)
from cooperative.views.organisations import (
    register_organisation,
)

__all__ = [
    "AUDIT_PAGE_SIZE",
    "QUEUE_STATES",
    "approve",
    "audit_trail",
    "cooperative_detail",
    "cooperative_list",
    "join",
    "membership_queue",
    "record_payment",
    "register_organisation",
    "reject",
]

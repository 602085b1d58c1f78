"""What the solution page tells about a solution's maintenance, from its stored publiccode.yml
metadata: the kind (internal, under contract, community, none), until when and by whom
(contractors), and whom to contact. Nothing is read from the database: the solution holds it.

A contract "ends" on its earliest `until` (the same date as `Solution.maintenance_until`); the
page warns when that is within MAINTENANCE_NOTICE_DAYS, or past.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.dateparse import parse_date

from solutions.models import MaintenanceType, Solution
from solutions.selectors.reuse import MAINTENANCE_NOTICE_DAYS


@dataclass(frozen=True)
class Contractor:
    name: str
    until: date | None
    email: str = ""
    website: str = ""


@dataclass(frozen=True)
class Contact:
    name: str
    email: str = ""
    phone: str = ""
    affiliation: str = ""


@dataclass(frozen=True)
class Maintenance:
    kind: str
    kind_label: str
    until: date | None
    days_left: int | None
    contractors: list[Contractor] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def ended(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def ends_soon(self) -> bool:
        """Ends within the notice period (or has ended): the page warns."""
        return self.days_left is not None and self.days_left <= MAINTENANCE_NOTICE_DAYS

    @property
    def maintained(self) -> bool:
        return self.kind != MaintenanceType.NONE


def _text(entry: dict, key: str) -> str:
    value = entry.get(key) if isinstance(entry, dict) else None
    return str(value).strip() if value else ""


def maintenance_of(solution: Solution, today: date | None = None) -> Maintenance:
    today = today or timezone.localdate()
    contractors = []
    for entry in solution.maintenance_contractors or []:
        if not _text(entry, "name"):
            continue
        until = _text(entry, "until")
        contractors.append(
            Contractor(
                name=_text(entry, "name"),
                until=parse_date(until) if until else None,
                email=_text(entry, "email"),
                website=_text(entry, "website"),
            )
        )
    contacts = [
        Contact(
            name=_text(entry, "name"),
            email=_text(entry, "email"),
            phone=_text(entry, "phone"),
            affiliation=_text(entry, "affiliation"),
        )
        for entry in solution.maintenance_contacts or []
        if _text(entry, "name")
    ]
    ends = solution.maintenance_until
    if ends is None:
        dates = [contractor.until for contractor in contractors if contractor.until]
        ends = min(dates) if dates else None
    return Maintenance(
        kind=solution.maintenance_type,
        kind_label=str(solution.get_maintenance_type_display()),
        until=ends,
        days_left=(ends - today).days if ends else None,
        contractors=contractors,
        contacts=contacts,
    )

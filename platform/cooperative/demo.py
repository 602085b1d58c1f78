"""The cooperative app's demo data: three cooperatives from their own announcements (SPEC.md §8).

Idempotent like every demo loader: organisations are found by CBS code (municipalities) or
slug, cooperatives by slug and people by username, and only what is missing is created — through
the services, so the demo has the audit trail a real installation would have. A membership is
created only for an organisation that has none in that cooperative yet; one changed by hand in
the demo stays as it is.

Everything goes through the same services the pages and the API use, so each step is done by the
person the rules allow: the demo administrator registers organisations and cooperatives and
appoints coordinators, an organisation's own person applies, the cooperative's coordinator
decides. Organisations without a printed login get a contact person (`contact-<slug>`) who
cannot log in (unusable password); they exist to have applied.

Logins (all with the password "deelbaar-demo", except admin / deelbaar-admin from
deelbaar.demo): coordinator (Zuidoost-Brabant), coordinator-dimpact, coordinator-nijmegen,
eindhoven, mijngemeentedichtbij, woerden.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cooperative import services
from cooperative.models import (
    ContributionKind,
    Cooperative,
    Membership,
    MembershipRole,
    MembershipState,
    Organisation,
    OrganisationKind,
)
from deelbaar.demo import ADMIN, COORDINATOR, Login, ensure_user

PASSWORD = "deelbaar-demo"  # noqa: S105 (a documented demo password)

DIMPACT_COORDINATOR = Login("coordinator of Dimpact", "coordinator-dimpact", PASSWORD)
NIJMEGEN_COORDINATOR = Login("coordinator of Regio Nijmegen", "coordinator-nijmegen", PASSWORD)
EINDHOVEN_PERSON = Login("person of Eindhoven (active pilot)", "eindhoven", PASSWORD)
MGD_PERSON = Login(
    "person of MijnGemeenteDichtbij (active pilot)", "mijngemeentedichtbij", PASSWORD
)
WOERDEN_PERSON = Login("person of Woerden (applied)", "woerden", PASSWORD)
LOGINS = [DIMPACT_COORDINATOR, NIJMEGEN_COORDINATOR, EINDHOVEN_PERSON, MGD_PERSON, WOERDEN_PERSON]

# Names of the people behind the printed logins: (first name, last name).
NAMES = {
    COORDINATOR.username: ("Carla", "Coördinator"),
    DIMPACT_COORDINATOR.username: ("Dirk", "Mulder"),
    NIJMEGEN_COORDINATOR.username: ("Noor", "Hendriks"),
    EINDHOVEN_PERSON.username: ("Eva", "Jansen"),
    MGD_PERSON.username: ("Maarten", "Smits"),
    WOERDEN_PERSON.username: ("Wim", "de Boer"),
}

# Municipalities by CBS code: (name, inhabitants). The codes are CBS's; the inhabitants are
# approximate, about 2013 when the cooperatives made their announcements — except Groningen and
# Ten Boer, whose numbers Dimpact itself published. Millingen aan de Rijn, Ubbergen and
# Groesbeek merged into Berg en Dal on 1 January 2015, Haren and Ten Boer into Groningen in 2019.
MUNICIPALITIES = {
    # Zuidoost-Brabant
    "GM0772": ("Eindhoven", 220_900),  # approximate
    "GM0757": ("Boxtel", 30_400),  # approximate
    "GM0845": ("Sint-Michielsgestel", 28_500),  # approximate
    "GM0632": ("Woerden", 50_300),  # approximate
    # Dimpact
    "GM0014": ("Groningen", 200_210),
    "GM0009": ("Ten Boer", 7_450),
    "GM0017": ("Haren", 18_900),  # approximate
    # Regio Nijmegen
    "GM0209": ("Beuningen", 25_500),  # approximate
    "GM0225": ("Druten", 18_400),  # approximate
    "GM0241": ("Groesbeek", 18_900),  # approximate
    "GM0252": ("Heumen", 16_400),  # approximate
    "GM0265": ("Millingen aan de Rijn", 5_900),  # approximate
    "GM0944": ("Mook en Middelaar", 7_800),  # approximate
    "GM0268": ("Nijmegen", 167_000),  # approximate
    "GM0282": ("Ubbergen", 9_300),  # approximate
    "GM0668": ("West Maas en Waal", 18_700),  # approximate
    "GM0296": ("Wijchen", 40_800),  # approximate
}


@dataclass(frozen=True)
class OtherOrganisation:
    slug: str
    name: str
    kind: str
    represents: tuple[str, ...] = ()  # CBS codes


MIJN_GEMEENTE_DICHTBIJ = OtherOrganisation(
    "mijngemeentedichtbij",
    "MijnGemeenteDichtbij",
    OrganisationKind.JOINT_ARRANGEMENT,
    represents=("GM0757", "GM0845"),  # Boxtel and Sint-Michielsgestel
)
GEMBOXX = OtherOrganisation("gemboxx", "Gemboxx", OrganisationKind.SUPPLIER)
ZOB_OFFICE = OtherOrganisation(
    "bureau-ict-cooperatie-zuidoost-brabant",
    "Bureau ICT-coöperatie Zuidoost-Brabant",
    OrganisationKind.COOPERATIVE_OFFICE,
)
DIMPACT_OFFICE = OtherOrganisation(
    "cooperatie-dimpact", "Coöperatie Dimpact", OrganisationKind.COOPERATIVE_OFFICE
)
NIJMEGEN_OFFICE = OtherOrganisation(
    "programmabureau-ict-regio-nijmegen",
    "Programmabureau ICT Regio Nijmegen",
    OrganisationKind.COOPERATIVE_OFFICE,
)
OTHER_ORGANISATIONS = [MIJN_GEMEENTE_DICHTBIJ, GEMBOXX, ZOB_OFFICE, DIMPACT_OFFICE, NIJMEGEN_OFFICE]


@dataclass(frozen=True)
class DemoMembership:
    organisation: str  # CBS code, or slug of another organisation
    state: str
    role: str = MembershipRole.MEMBER
    reason: str = ""  # why it was rejected or ended


@dataclass(frozen=True)
class DemoCooperative:
    slug: str
    name: str
    description: str
    office: OtherOrganisation
    coordinator: Login
    policy: dict
    memberships: list[DemoMembership] = field(default_factory=list)


MERGER = "gaat op 1 januari 2015 met {others} op in de nieuwe gemeente Berg en Dal"

# The joining contributions are invented: the announcements mention a one-time joining
# contribution (toetredingsinleg) but not its amount. Plausible orders of magnitude instead.
COOPERATIVES = [
    DemoCooperative(
        slug="zuidoost-brabant",
        name="ICT-coöperatie Zuidoost-Brabant",
        description=(
            "Gemeenten in Zuidoost-Brabant ontwikkelen samen met leverancier Gemboxx apps in "
            "sprints van twee weken, testen en accepteren elke oplevering zelf, en delen wat "
            "af is via de bibliotheek van de coöperatie: niet zelf maken of kopen wat een "
            "andere gemeente al gebouwd heeft."
        ),
        office=ZOB_OFFICE,
        coordinator=COORDINATOR,
        # € 0.25 per inhabitant, at least € 5,000 and at most € 50,000: Eindhoven pays the
        # maximum, MijnGemeenteDichtbij pays for its two municipalities' inhabitants.
        policy={
            "contribution_kind": ContributionKind.PER_INHABITANT,
            "contribution_amount": Decimal("0.25"),
            "contribution_minimum": Decimal("5000.00"),
            "contribution_maximum": Decimal("50000.00"),
        },
        memberships=[
            DemoMembership("GM0772", MembershipState.ACTIVE, MembershipRole.PILOT),
            DemoMembership(
                MIJN_GEMEENTE_DICHTBIJ.slug, MembershipState.ACTIVE, MembershipRole.PILOT
            ),
            DemoMembership("GM0632", MembershipState.APPLIED),
        ],
    ),
    DemoCooperative(
        slug="dimpact",
        name="Dimpact",
        description=(
            "Coöperatie van gemeenten die samen hun dienstverlening digitaliseren: zaakgericht "
            "werken, het digitaal loket en het medewerkersportaal. Groningen is het grootste "
            "lid, Ten Boer het kleinste."
        ),
        office=DIMPACT_OFFICE,
        coordinator=DIMPACT_COORDINATOR,
        # One fixed amount for every municipality, large or small.
        policy={
            "contribution_kind": ContributionKind.FIXED,
            "contribution_amount": Decimal("15000.00"),
        },
        memberships=[
            DemoMembership("GM0014", MembershipState.ACTIVE),
            DemoMembership("GM0009", MembershipState.ACTIVE),
            DemoMembership("GM0017", MembershipState.APPROVED),  # awaiting payment
        ],
    ),
    DemoCooperative(
        slug="regio-nijmegen",
        name="ICT-samenwerking Regio Nijmegen",
        description=(
            "De tien gemeenten van de regio Nijmegen die een intentieverklaring tekenden om "
            "hun ICT samen te ontwikkelen en te delen."
        ),
        office=NIJMEGEN_OFFICE,
        coordinator=NIJMEGEN_COORDINATOR,
        # € 0.20 per inhabitant, at least € 2,500 and at most € 30,000: Nijmegen pays the
        # maximum, the smallest municipalities the minimum.
        policy={
            "contribution_kind": ContributionKind.PER_INHABITANT,
            "contribution_amount": Decimal("0.20"),
            "contribution_minimum": Decimal("2500.00"),
            "contribution_maximum": Decimal("30000.00"),
        },
        memberships=[
            DemoMembership("GM0268", MembershipState.ACTIVE, MembershipRole.PILOT),  # Nijmegen
            DemoMembership("GM0209", MembershipState.ACTIVE),  # Beuningen
            DemoMembership("GM0225", MembershipState.ACTIVE),  # Druten
            DemoMembership("GM0241", MembershipState.ACTIVE),  # Groesbeek
            DemoMembership("GM0252", MembershipState.ACTIVE),  # Heumen
            DemoMembership("GM0944", MembershipState.APPROVED),  # Mook en Middelaar
            DemoMembership("GM0668", MembershipState.APPROVED),  # West Maas en Waal
            DemoMembership("GM0296", MembershipState.APPLIED),  # Wijchen
            DemoMembership(
                "GM0265",  # Millingen aan de Rijn
                MembershipState.REJECTED,
                reason="Millingen aan de Rijn "
                + MERGER.format(others="Groesbeek en Ubbergen")
                + "; een aparte aansluiting heeft geen zin meer.",
            ),
            DemoMembership(
                "GM0282",  # Ubbergen
                MembershipState.LEFT,
                reason="Ubbergen "
                + MERGER.format(others="Groesbeek en Millingen aan de Rijn")
                + ".",
            ),
        ],
    ),
]

# Whose person applies for which organisation (by CBS code or slug); every other member
# organisation gets an unprintable contact person.
APPLICANTS = {
    "GM0772": EINDHOVEN_PERSON,
    MIJN_GEMEENTE_DICHTBIJ.slug: MGD_PERSON,
    "GM0632": WOERDEN_PERSON,
}


# --- Finding or creating ---------------------------------------------------------------------
def _person(login: Login):
    first_name, last_name = NAMES.get(login.username, ("", ""))
    return ensure_user(
        login,
        first_name=first_name,
        last_name=last_name,
        email=f"{login.username}@example.org",
    )


def _contact(organisation: Organisation):
    """A person of `organisation` who applied for it; no password, so no login."""
    user, created = get_user_model().objects.get_or_create(
        username=f"contact-{organisation.slug}"[:150],
        defaults={"first_name": "Contactpersoon", "last_name": organisation.name},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _municipality(admin, cbs_code: str) -> Organisation:
    existing = Organisation.objects.filter(cbs_code=cbs_code).first()
    if existing is not None:
        return existing
    name, inhabitants = MUNICIPALITIES[cbs_code]
    return services.register_organisation(
        actor=admin,
        kind=OrganisationKind.MUNICIPALITY,
        name=name,
        cbs_code=cbs_code,
        inhabitants=inhabitants,
    )


def _other(admin, organisation: OtherOrganisation) -> Organisation:
    existing = Organisation.objects.filter(slug=organisation.slug).first()
    if existing is not None:
        return existing
    return services.register_organisation(
        actor=admin,
        kind=organisation.kind,
        name=organisation.name,
        slug=organisation.slug,
        represents=[_municipality(admin, code) for code in organisation.represents],
    )


def _cooperative(admin, spec: DemoCooperative, office: Organisation) -> Cooperative:
    existing = Cooperative.objects.filter(slug=spec.slug).first()
    if existing is not None:
        return existing
    return services.create_cooperative(
        actor=admin,
        name=spec.name,
        slug=spec.slug,
        description=spec.description,
        office=office,
        **spec.policy,
    )


def _membership(cooperative, organisation, spec: DemoMembership, *, applicant, coordinator):
    """Bring a new membership through the life cycle to the state the demo shows."""
    membership = services.apply_for_membership(
        actor=applicant, cooperative=cooperative, organisation=organisation, role=spec.role
    )
    if spec.state == MembershipState.REJECTED:
        services.reject_membership(actor=coordinator, membership=membership, reason=spec.reason)
        return
    if spec.state == MembershipState.APPLIED:
        return
    membership = services.approve_membership(actor=coordinator, membership=membership)
    if spec.state == MembershipState.APPROVED:
        return
    membership = services.record_payment(
        actor=coordinator,
        membership=membership,
        paid_on=timezone.localdate(),
        amount=membership.contribution_due,
    )
    if spec.state == MembershipState.LEFT:
        services.leave_cooperative(actor=coordinator, membership=membership, reason=spec.reason)


@transaction.atomic
def load() -> list[Login]:
    admin = ensure_user(ADMIN, is_superuser=True)
    for code in MUNICIPALITIES:
        _municipality(admin, code)
    organisations = {o.slug: _other(admin, o) for o in OTHER_ORGANISATIONS}

    for spec in COOPERATIVES:
        office = organisations[spec.office.slug]
        cooperative = _cooperative(admin, spec, office)
        coordinator = _person(spec.coordinator)
        services.affiliate(actor=admin, organisation=office, user=coordinator)
        services.appoint_coordinator(actor=admin, cooperative=cooperative, user=coordinator)
        for membership in spec.memberships:
            if membership.organisation.startswith("GM"):
                organisation = _municipality(admin, membership.organisation)
            else:
                organisation = organisations[membership.organisation]
            login = APPLICANTS.get(membership.organisation)
            applicant = _person(login) if login else _contact(organisation)
            services.affiliate(actor=admin, organisation=organisation, user=applicant)
            if Membership.objects.filter(
                cooperative=cooperative, organisation=organisation
            ).exists():
                continue
            _membership(
                cooperative,
                organisation,
                membership,
                applicant=applicant,
                coordinator=coordinator,
            )
    return list(LOGINS)

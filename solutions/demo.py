"""The library's part of the demo (SPEC section 8): Dimpact's portfolio and the
Zuidoost-Brabant Subsidiesysteem, published from its accepted demo increment, with adoptions
and reviews, so the catalogue, the solution pages and the reuse figures show real numbers.

Runs after the cooperative and sprints loaders. Idempotent like every loader: solutions are
found by slug, releases by version, adoptions and reviews by organisation; only what is
missing is made, always through the services, by the person the rules allow:

- the Subsidiesysteem's product owner requests publication of its accepted increment 0.3.0 as
  1.0.0 and the Zuidoost-Brabant coordinator approves it; the coordinator then completes the
  metadata (English texts, features, maintenance under contract with Gemboxx);
- Dimpact's coordinator brings its existing software in from publiccode.yml files and records
  the releases those already had (they were built before Deelbaar, not in its sprints);
- people of the member municipalities adopt, take into use and review for their own
  organisation.
"""

from datetime import timedelta
from decimal import Decimal

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cooperative.models import Cooperative, Organisation
from deelbaar.demo import Login
from solutions.models import Adoption, AdoptionState, PublicationState, Solution
from solutions.services import adoption as adoption_services
from solutions.services import metadata as metadata_services
from solutions.services import publication as publication_services
from sprints.models import IncrementState, Product

SUBSIDIES_SLUG = "subsidiesysteem"

SUBSIDIES_METADATA = {
    "short_description_nl": "Inwoners en verenigingen vragen subsidie aan zonder papier; de "
    "gemeente beslist sneller en bewaakt het subsidieplafond.",
    "short_description_en": "Residents and associations apply for grants without paper; the "
    "municipality decides faster and keeps within its budget.",
    "long_description_nl": (
        "Het Subsidiesysteem is gebouwd door Eindhoven met leverancier Gemboxx, in sprints van "
        "twee weken binnen ICT Samenwerking Zuidoost-Brabant. Inwoners en verenigingen dienen "
        "hun aanvraag online in en volgen de status; behandelaars beoordelen, besluiten en "
        "betalen uit, ook in termijnen, terwijl het systeem het subsidieplafond per regeling "
        "bewaakt. Iedere oplevering is door medewerkers van de gemeente zelf getest en "
        "geaccepteerd."
    ),
    "long_description_en": (
        "The grant system was built by Eindhoven with its supplier Gemboxx, in two-week sprints "
        "within the Zuidoost-Brabant ICT cooperative. Residents and associations apply online "
        "and follow their application; case workers assess, decide and pay out, in instalments "
        "too, while the system keeps every scheme within its ceiling. Every increment was "
        "tested and accepted by the municipality's own staff."
    ),
    "features_nl": [
        "Aanvragen online indienen en volgen",
        "Beoordelen en besluiten",
        "Subsidieplafond bewaken",
        "Uitbetalen in termijnen",
    ],
    "features_en": [
        "Apply online and follow the application",
        "Assess and decide",
        "Keep schemes within their ceiling",
        "Pay out in instalments",
    ],
    "categories": ["grant-management", "digital-citizenship"],
    "development_status": "stable",
    "repository_url": "https://git.example.org/zuidoost-brabant/subsidiesysteem",
    "documentation_url": "https://docs.example.org/subsidiesysteem",
    "standards": ["ZGW API's", "NL Design System"],
    "estimated_cost": Decimal("180000"),
    "maintenance_type": "contract",
}

# Dimpact's portfolio, as its coordinator would bring it in: publiccode.yml files, and the
# releases the software already had. (slug, file, releases oldest first, estimated cost)
DIMPACT_PORTFOLIO = [
    (
        "zaakgericht-werken",
        {
            "publiccodeYmlVersion": "0.4",
            "name": "Zaakgericht werken",
            "url": "https://git.example.org/dimpact/zaakgericht-werken",
            "platforms": ["web"],
            "categories": ["document-management", "workflow-management"],
            "developmentStatus": "stable",
            "softwareType": "standalone/web",
            "description": {
                "nl": {
                    "shortDescription": "Zaken van aanvraag tot besluit behandelen, met "
                    "dossiers en termijnen, volgens de ZGW API's.",
                    "longDescription": (
                        "Met Zaakgericht werken behandelen medewerkers van Dimpact-gemeenten "
                        "iedere aanvraag, melding of bezwaar als een zaak: van ontvangst tot "
                        "besluit, met het dossier, de termijnen en de betrokkenen op één plek. "
                        "De oplossing volgt de ZGW API's, zodat zaken en documenten ook in "
                        "andere systemen te gebruiken zijn."
                    ),
                    "features": ["Zaken behandelen", "Termijnen bewaken", "Zaakdossier"],
                },
                "en": {
                    "shortDescription": "Handle cases from application to decision, with "
                    "files and deadlines, following the ZGW APIs.",
                    "longDescription": (
                        "With case management the staff of Dimpact's municipalities handle "
                        "every application, report or objection as a case: from receipt to "
                        "decision, with its file, deadlines and parties in one place. It "
                        "follows the Dutch ZGW APIs, so cases and documents can be used by "
                        "other systems too."
                    ),
                    "features": ["Handle cases", "Watch deadlines", "Case file"],
                },
            },
            "legal": {"license": "EUPL-1.2", "mainCopyrightOwner": "Coöperatie Dimpact"},
            "maintenance": {
                "type": "internal",
                "contacts": [{"name": "Team Zaakgericht werken", "email": "zgw@example.org"}],
            },
            "localisation": {"localisationReady": True, "availableLanguages": ["nl", "en"]},
        },
        ["2.3.0", "2.4.0"],
        Decimal("1200000"),
    ),
    (
        "digitaal-loket",
        {
            "publiccodeYmlVersion": "0.4",
            "name": "Digitaal loket",
            "url": "https://git.example.org/dimpact/digitaal-loket",
            "platforms": ["web"],
            "categories": ["digital-citizenship", "customer-service-and-support"],
            "developmentStatus": "stable",
            "softwareType": "standalone/web",
            "description": {
                "nl": {
                    "shortDescription": "Het digitale loket waar inwoners en ondernemers hun "
                    "producten aanvragen en hun zaken volgen.",
                    "longDescription": (
                        "Het Digitaal loket is de voordeur van de gemeente op internet: inwoners "
                        "en ondernemers vragen er producten aan, zoals een uittreksel of een "
                        "vergunning, loggen in met DigiD of eHerkenning en volgen hun lopende "
                        "zaken. Aanvragen komen als zaak binnen bij Zaakgericht werken."
                    ),
                    "features": ["Producten aanvragen", "Inloggen met DigiD", "Mijn zaken"],
                }
            },
            "legal": {"license": "EUPL-1.2", "mainCopyrightOwner": "Coöperatie Dimpact"},
            "maintenance": {
                "type": "internal",
                "contacts": [{"name": "Team Loket", "email": "loket@example.org"}],
            },
            "localisation": {"localisationReady": False, "availableLanguages": ["nl"]},
        },
        ["1.8.0"],
        Decimal("450000"),
    ),
    (
        "medewerkersportaal",
        {
            "publiccodeYmlVersion": "0.4",
            "name": "Medewerkersportaal",
            "url": "https://git.example.org/dimpact/medewerkersportaal",
            "platforms": ["web"],
            "categories": ["employee-management", "knowledge-management"],
            "developmentStatus": "beta",
            "softwareType": "standalone/web",
            "description": {
                "nl": {
                    "shortDescription": "Het portaal waar medewerkers hun werk, hun zaken en "
                    "de kennis van de gemeente vinden.",
                    "longDescription": (
                        "Het Medewerkersportaal brengt voor medewerkers van de gemeente samen "
                        "wat ze nodig hebben: hun werkvoorraad uit Zaakgericht werken, nieuws, "
                        "de smoelenboek en de kennisbank. Eén keer inloggen geeft toegang tot "
                        "de applicaties waarvoor de medewerker bevoegd is."
                    ),
                    "features": ["Werkvoorraad", "Kennisbank", "Eén keer inloggen"],
                }
            },
            "legal": {"license": "EUPL-1.2", "mainCopyrightOwner": "Coöperatie Dimpact"},
            "maintenance": {
                "type": "community",
                "contacts": [{"name": "Gebruikersgroep", "email": "portaal@example.org"}],
            },
            "localisation": {"localisationReady": False, "availableLanguages": ["nl"]},
        },
        ["1.2.0"],
        Decimal("300000"),
    ),
]

# (organisation name, solution slug, release or None for the newest, state, review or None)
# A review is (score, pros, cons).
ADOPTIONS = [
    (
        "Eindhoven",
        SUBSIDIES_SLUG,
        None,
        AdoptionState.IN_USE,
        (5, "Door onze eigen medewerkers geaccepteerd; doet wat we nodig hebben.", ""),
    ),
    (
        "MijnGemeenteDichtbij",
        SUBSIDIES_SLUG,
        None,
        AdoptionState.IN_USE,
        (
            4,
            "In een maand in gebruik voor Boxtel en Sint-Michielsgestel.",
            "Eigen regelingen vergen wat configuratie.",
        ),
    ),
    (
        "Groningen",
        "zaakgericht-werken",
        "2.3.0",
        AdoptionState.IN_USE,
        (4, "Stabiel, en de ZGW API's maken koppelen eenvoudig.", "Upgraden kost planning."),
    ),
    ("Ten Boer", "zaakgericht-werken", None, AdoptionState.IN_USE, None),
    ("Groningen", "digitaal-loket", None, AdoptionState.IN_USE, None),
    ("Ten Boer", "medewerkersportaal", None, AdoptionState.REQUESTED, None),
]


def _user(username):
    return get_user_model().objects.get(username=username)


def _person_of(organisation):
    """The first person of the organisation (the demo's login for it, or its contact)."""
    return (
        get_user_model()
        .objects.filter(affiliations__organisation=organisation)
        .order_by("pk")
        .first()
    )


def _publish_subsidies(zob):
    solution = Solution.objects.filter(slug=SUBSIDIES_SLUG).first()
    if solution is not None:
        return solution
    product = Product.objects.get(cooperative=zob, key="SUB")
    increment = (
        product.increments.filter(state=IncrementState.ACCEPTED).order_by("-created_at").first()
    )
    if increment is None:
        return None
    owner = _user("producteigenaar")
    coordinator = _user("coordinator")
    request = increment.publication_requests.filter(state=PublicationState.REQUESTED).first()
    if request is None:
        request = publication_services.request_publication(
            actor=owner,
            increment=increment,
            version="1.0.0",
            name="Subsidiesysteem",
            short_description=SUBSIDIES_METADATA["short_description_nl"],
        )
    release = publication_services.approve_publication(
        actor=coordinator, publication_request=request
    )
    solution = release.solution
    gemboxx = Organisation.objects.get(slug="gemboxx")
    until = timezone.localdate() + timedelta(days=60)
    return metadata_services.update_solution(
        actor=coordinator,
        solution=solution,
        version=solution.version,
        **SUBSIDIES_METADATA,
        maintenance_contractors=[
            {"name": gemboxx.name, "until": until.isoformat(), "website": "https://example.org"}
        ],
    )


def _bring_in_dimpact(dimpact):
    coordinator = _user("coordinator-dimpact")
    for slug, document, versions, cost in DIMPACT_PORTFOLIO:
        solution = Solution.objects.filter(slug=slug).first()
        if solution is None:
            text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
            solution = metadata_services.import_publiccode(
                actor=coordinator, cooperative=dimpact, text=text
            )
            solution = metadata_services.update_solution(
                actor=coordinator,
                solution=solution,
                version=solution.version,
                estimated_cost=cost,
            )
        for version in versions:
            if not solution.releases.filter(version=version).exists():
                publication_services.record_release(
                    actor=coordinator,
                    solution=solution,
                    version=version,
                    notes="",
                )


def _adopt(organisation_name, slug, version, state, review):
    solution = Solution.objects.filter(slug=slug).first()
    organisation = Organisation.objects.filter(name=organisation_name).first()
    if solution is None or organisation is None:
        return
    person = _person_of(organisation)
    if Adoption.objects.filter(solution=solution, organisation=organisation).exists():
        return
    adoption = adoption_services.request_adoption(
        actor=person, solution=solution, organisation=organisation
    )
    if state == AdoptionState.IN_USE:
        release = solution.releases.get(version=version) if version else None
        adoption_services.take_into_use(actor=person, adoption=adoption, release=release)
        if review is not None:
            score, pros, cons = review
            adoption_services.review_solution(
                actor=person,
                solution=solution,
                organisation=organisation,
                score=score,
                pros=pros,
                cons=cons,
            )


@transaction.atomic
def load() -> list[Login]:
    zob = Cooperative.objects.filter(slug="zuidoost-brabant").first()
    dimpact = Cooperative.objects.filter(slug="dimpact").first()
    if zob is not None:
        _publish_subsidies(zob)
    if dimpact is not None:
        _bring_in_dimpact(dimpact)
    for adoption in ADOPTIONS:
        _adopt(*adoption)
    # The logins of the earlier loaders show everything here; none of its own.
    return []

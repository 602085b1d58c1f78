"""The words the catalogue's search knows, to split a Dutch compound in a search into its parts
("subsidieaanvraag" is "subsidie" + "aanvraag"; `solutions.search.parts`).

Two lists: every word of three letters or more in the demo library's texts (solutions/demo.py;
tests/solutions/test_search_quality.py checks that it stays complete), and a small list of words
municipalities use for their services, departments and products. A word of a search that is
not made of known words is searched as it is.
"""

# Every word of the demo library's names, descriptions and features (nl and en), lowercased.
DEMO_WORDS = frozenset(
    """
    aan aanvraag aanvragen accepted als and andere api apis applicaties application apply assess
    associations behandelaars behandelen beoordelen beslist besluit besluiten beta betalen
    betrokkenen bevoegd bewaakt bewaken bezwaar bij binnen brabant brengt budget built can case
    cases ceiling citizenship community contract cooperative coöperatie customer deadlines decide
    decides decision design dienen digid digitaal digital digitale dimpact docs document
    documenten documents door dossier dossiers dutch een eherkenning eindhoven employee eupl every
    example eén faster file files follow following follows for from geaccepteerd gebouwd
    gebruiken gebruikersgroep geeft gemboxx gemeente gemeenten getest git grant grants handle
    hebben het https hun ict iedere increment indienen inloggen instalments internal internet
    inwoners its keep keeps keer kennis kennisbank knowledge komen leverancier loggen loket
    lopende management medewerker medewerkers medewerkersportaal melding met mijn municipalities
    municipality nieuws nodig objection ondernemers one online ontvangst ook oplevering oplossing
    org other out own paper papier parties pay per place plek portaal producten receipt regeling
    report residents samen samenwerking scheme schemes service smoelenboek sneller sprints stable
    staff standalone status subsidie subsidieplafond subsidiesysteem supplier support systeem
    system systemen systems team termijnen terwijl tested the their toegang too tot twee two uit
    uitbetalen uittreksel used van verenigingen vergunning vinden volgen volgens volgt voor
    voordeur vragen waar waarvoor was wat watch web week weken werk werken werkvoorraad while with
    within without workers workflow zaak zaakdossier zaakgericht zaken zelf zgw zijn zoals zodat
    zonder zuidoost één
    """.split()  # noqa: SIM905
)

# Words of municipal services, departments and products (singular; the search's stemming finds
# the plurals): what people glue together when they look for software.
DUTCH_WORDS = frozenset(
    """
    aangifte aanslag adres advies afspraak afval archief balie beheer belasting besluit betaling
    bewijs bezoeker bezwaar bijstand boete bouw burger dienst document dossier evenement factuur
    formulier gegeven gemeente geld graf herinnering huur inkomen inkoop inschrijving jeugd
    kaart kalender klacht klant kosten leerling lening loket melding omgeving onderwijs ouder
    overzicht paspoort parkeer parkeren persoon plan plein portaal raad regeling register
    reservering rijbewijs schuld school sport stad straat subsidie systeem taak uitkering
    verhuizing verkiezing vervoer vergunning verzoek vraag wijk woning werk zaak zaal zorg
    """.split()  # noqa: SIM905
)

KNOWN_WORDS = DEMO_WORDS | DUTCH_WORDS

"""Reach and savings: where a solution is in use and for how many inhabitants, and a
cooperative's reuse figures, computed on a known set; both in a fixed number of queries."""

from decimal import Decimal

import pytest
from django.utils import timezone

from solutions.models import Adoption, AdoptionState
from solutions.selectors import reuse
from solutions.services import adoption as services
from tests.solutions.adoption_world import *  # noqa: F403
from tests.solutions.adoption_world import adopt, in_use
from tests.solutions.factories import make_release, make_solution

pytestmark = pytest.mark.django_db

EINDHOVEN, BOXTEL, SINT_MICHIELSGESTEL = 243_730, 31_500, 29_500


@pytest.fixture
def known_set(solution, zob, dimpact, member_person, mgd_person, boxtel_person, admin):
    """Subsidiesysteem (€ 250,000): Eindhoven, MijnGemeenteDichtbij and Boxtel (also reached
    through MijnGemeenteDichtbij). Zaaksysteem (€ 100,000): Eindhoven; MGD only requested it
    and Boxtel stopped. Loket (cost unknown): Eindhoven and MGD. Archief: nobody. Dimpact's
    solution, in use by Eindhoven, belongs to another cooperative."""
    in_use(member_person, solution)
    in_use(mgd_person, solution)
    in_use(boxtel_person, solution)

    zaak = make_solution(cooperative=zob, name="Zaaksysteem", estimated_cost=100_000)
    make_release(zaak, "1.0.0")
    in_use(member_person, zaak)
    adopt(mgd_person, zaak)
    stopped = in_use(boxtel_person, zaak)
    services.stop_adoption(actor=boxtel_person, adoption=stopped)

    loket = make_solution(cooperative=zob, name="Loket")
    make_release(loket, "0.9.0")
    in_use(member_person, loket)
    in_use(mgd_person, loket)

    make_solution(cooperative=zob, name="Archief", estimated_cost=50_000)

    elsewhere = make_solution(cooperative=dimpact, name="Medewerkersportaal", estimated_cost=9)
    Adoption.objects.create(
        solution=elsewhere,
        organisation=member_person.organisations.get(),
        requested_by=member_person,
        state=AdoptionState.IN_USE,
        release=make_release(elsewhere, "1.0.0"),
        in_use_since=timezone.localdate(),
    )
    return {"subsidie": solution, "zaak": zaak, "loket": loket}


def test_reuse_figures_on_a_known_set(known_set, zob):
    figures = reuse.reuse_figures(zob)
    rows = {row.solution.name: row for row in figures.solutions}
    assert set(rows) == {"Subsidiesysteem", "Zaaksysteem", "Loket", "Archief"}
    assert [row.solution.name for row in figures.solutions] == [
        "Subsidiesysteem",
        "Loket",
        "Zaaksysteem",
        "Archief",
    ]  # most adopted first

    subsidie = rows["Subsidiesysteem"]
    assert subsidie.adoptions == 3
    assert subsidie.inhabitants == EINDHOVEN + BOXTEL + SINT_MICHIELSGESTEL  # Boxtel once
    assert subsidie.cost_avoided == Decimal("500000.00")  # two adoptions after the first

    zaak = rows["Zaaksysteem"]
    assert (zaak.adoptions, zaak.inhabitants, zaak.cost_avoided) == (1, EINDHOVEN, Decimal(0))

    loket = rows["Loket"]
    assert loket.adoptions == 2
    assert loket.inhabitants == EINDHOVEN + BOXTEL + SINT_MICHIELSGESTEL
    assert loket.cost_avoided is None  # no estimated cost: unknown, not zero

    archief = rows["Archief"]
    assert (archief.adoptions, archief.inhabitants, archief.cost_avoided) == (0, 0, Decimal(0))

    assert figures.adoptions == 6
    assert figures.inhabitants == EINDHOVEN + BOXTEL + SINT_MICHIELSGESTEL
    assert figures.cost_avoided == Decimal("500000.00")
    assert [row.solution.name for row in figures.in_use] == [
        "Subsidiesysteem",
        "Loket",
        "Zaaksysteem",
    ]


def test_where_in_use_counts_each_municipality_once(known_set):
    where = reuse.where_in_use(known_set["subsidie"])
    rows = {a.organisation.name: a.inhabitants for a in where.adoptions}
    assert rows == {
        "Boxtel": BOXTEL,
        "Eindhoven": EINDHOVEN,
        "MijnGemeenteDichtbij": BOXTEL + SINT_MICHIELSGESTEL,
    }
    assert where.organisations == 3
    assert where.inhabitants == EINDHOVEN + BOXTEL + SINT_MICHIELSGESTEL
    assert {a.release.version for a in where.adoptions} == {"1.0.0"}


def test_where_in_use_leaves_out_requested_and_stopped(known_set):
    where = reuse.where_in_use(known_set["zaak"])
    assert [a.organisation.name for a in where.adoptions] == ["Eindhoven"]
    assert where.inhabitants == EINDHOVEN


def test_adoption_count_agrees_with_the_adoptions_in_use(known_set):
    for solution in known_set.values():
        solution.refresh_from_db()
        assert solution.adoption_count == reuse.where_in_use(solution).organisations


@pytest.mark.parametrize("size", [5, 200])
def test_reuse_figures_take_a_fixed_number_of_queries(
    zob, solution, eindhoven, mgd, member_person, size, django_assert_max_num_queries
):
    solutions = [
        make_solution(cooperative=zob, name=f"Bulk {n}", estimated_cost=1_000 * n)
        for n in range(size)
    ]
    Adoption.objects.bulk_create(
        [
            Adoption(
                solution=s,
                organisation=organisation,
                requested_by=member_person,
                state=AdoptionState.IN_USE,
                in_use_since=timezone.localdate(),
            )
            for s in solutions
            for organisation in (eindhoven, mgd)
        ]
    )
    with django_assert_max_num_queries(3):
        figures = reuse.reuse_figures(zob)
    assert figures.adoptions == 2 * size
    assert figures.cost_avoided == sum(Decimal(1_000 * n) for n in range(size))


@pytest.mark.parametrize("size", [3, 60])
def test_where_in_use_takes_a_fixed_number_of_queries(
    zob, solution, member_person, admin, size, django_assert_max_num_queries
):
    from cooperative import services as cooperative_services
    from cooperative.models import OrganisationKind

    organisations = []
    for n in range(size):
        organisations.append(
            cooperative_services.register_organisation(
                actor=admin,
                kind=OrganisationKind.MUNICIPALITY,
                name=f"Gemeente {n}",
                cbs_code=f"GM{9000 + n}",
                inhabitants=1_000,
            )
        )
    Adoption.objects.bulk_create(
        [
            Adoption(
                solution=solution,
                organisation=o,
                requested_by=member_person,
                state=AdoptionState.IN_USE,
                in_use_since=timezone.localdate(),
            )
            for o in organisations
        ]
    )
    with django_assert_max_num_queries(2):
        where = reuse.where_in_use(solution)
    assert where.inhabitants == 1_000 * size


def test_the_newest_pre_release_is_the_last_published_not_the_highest_text(solution):
    """As text "rc.9" sorts after "rc.10"; by semantic versioning rc.10 is newer."""
    rc9 = make_release(solution, "1.1.0-rc.9")
    rc10 = make_release(solution, "1.1.0-rc.10")
    assert reuse.newest_release(solution) == rc10
    assert reuse.newer_releases(solution, rc9) == [rc10]

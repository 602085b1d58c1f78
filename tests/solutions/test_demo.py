"""The library's demo loader: idempotent, made through the services, and with real figures on
every page (SPEC section 8): Dimpact's portfolio and the published Subsidiesysteem, adopted
and reviewed."""

from decimal import Decimal

import pytest

from cooperative import demo as cooperative_demo
from cooperative.models import AuditRecord, Cooperative
from deelbaar import demo as project_demo
from solutions import demo
from solutions.models import Adoption, AdoptionState, Release, Review, Solution
from solutions.selectors import reuse
from sprints import demo as sprints_demo
from tests.solutions.test_publiccode import assert_exports_valid

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(module_db):
    """Loaded once for the module: every test reads it, and the one loading it again does so
    in its own savepoint."""
    project_demo.load()
    cooperative_demo.load()
    sprints_demo.load()
    demo.load()


def counts():
    return {m.__name__: m.objects.count() for m in (Solution, Release, Adoption, Review)}


def test_the_library_has_dimpacts_portfolio_and_the_published_subsidiesysteem(loaded):
    slugs = set(Solution.objects.values_list("slug", flat=True))
    assert {"zaakgericht-werken", "digitaal-loket", "medewerkersportaal"} <= slugs
    subsidies = Solution.objects.get(slug=demo.SUBSIDIES_SLUG)
    # Published from the Subsidiesysteem's accepted increment, through a request.
    release = subsidies.releases.get()
    assert release.increment is not None and release.increment.state == "accepted"
    assert release.publication_request.state == "approved"
    assert subsidies.cooperative.slug == "zuidoost-brabant"
    assert subsidies.source_product.key == "SUB"


def test_adoptions_and_reviews_give_the_reuse_figures_something_to_show(loaded):
    assert Adoption.objects.filter(state=AdoptionState.IN_USE).count() >= 4
    assert Review.objects.count() >= 3
    zaak = Solution.objects.get(slug="zaakgericht-werken")
    assert zaak.adoption_count == 2
    figures = reuse.reuse_figures(Cooperative.objects.get(slug="dimpact"))
    # Zaakgericht werken in use twice (one adoption after the first), Digitaal loket once.
    assert figures.adoptions == 3
    assert figures.cost_avoided == Decimal("1200000")
    assert figures.inhabitants == 200_210 + 7_450
    subsidies = Solution.objects.get(slug=demo.SUBSIDIES_SLUG)
    assert subsidies.adoption_count == 2
    assert subsidies.estimated_cost == Decimal("180000")


def test_every_demo_solution_exports_a_valid_publiccode_yml(loaded):
    solutions = list(Solution.objects.all())
    assert len(solutions) >= 4
    for solution in solutions:
        assert_exports_valid(solution)


def test_loading_twice_changes_nothing(loaded):
    before = counts()
    audit_before = AuditRecord.objects.count()
    demo.load()
    assert counts() == before
    assert AuditRecord.objects.count() == audit_before


def test_everything_went_through_the_services(loaded):
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {
        "publication.approved",
        "release.published",
        "release.recorded",
        "solution.imported",
        "adoption.requested",
        "adoption.in_use",
    } <= actions

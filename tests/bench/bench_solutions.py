"""Times the catalogue's hot paths on a library of 10,000 solutions, with the issue's budgets.

- catalogue search with facets: GET /api/v1/solutions/?q=… (a search of one or two words,
  half of them with facet filters, sorted by relevance) through the full stack; the same
  without a search, and the page, are printed unbudgeted
- similar solutions: solutions.selectors.similar_to(title, description) for a proposed
  product; the same through the API is printed unbudgeted

Prints median and 95th percentile; fails when a p95 is over its budget. Runs on a fresh
embedded database in a temporary folder, or, when DATABASE_URL is set, on a scratch database
created beside the configured one (`<name>_bench`) and dropped afterwards. The catalogue's
budgets are for PostgreSQL; on SQLite (the portable fallback) its numbers are printed for
information, while similar solutions have the same budget on both.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta

SOLUTIONS = 10_000
ROUNDS = 200
BUDGETS_MS = {"catalogue search": 50, "similar solutions": 100}

SUBJECTS = [
    "subsidie",
    "vergunning",
    "afval",
    "parkeer",
    "zaak",
    "belasting",
    "zorg",
    "jeugd",
    "burgerzaken",
    "klacht",
    "bezwaar",
    "melding",
    "archief",
    "document",
    "financiën",
    "inkoop",
    "personeel",
    "evenementen",
    "begraafplaats",
    "woning",
    "leerlingenvervoer",
    "participatie",
    "schuldhulp",
    "omgeving",
    "verkiezingen",
]
KINDS = ["systeem", "beheer", "loket", "portaal", "app", "register", "module", "platform"]
VERBS = ["aanvragen", "beoordelen", "registreren", "melden", "betalen", "plannen", "volgen"]
AUDIENCE = ["inwoners", "ondernemers", "medewerkers", "raadsleden", "instellingen"]
ENGLISH = ["grants", "permits", "waste", "parking", "cases", "taxes", "care", "youth"]
CATEGORIES = [
    "grant-management",
    "digital-citizenship",
    "document-management",
    "workflow-management",
    "communications",
    "customer-service-and-support",
    "hr",
    "taxes-management",
    "data-collection",
    "identity-management",
]
STATUSES = ["concept", "development", "beta", "stable", "obsolete"]
LICENCES = ["EUPL-1.2", "EUPL-1.2", "EUPL-1.2", "MIT", "Apache-2.0", "AGPL-3.0-or-later"]


def report(name, times, over, budget=True):
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    limit = BUDGETS_MS.get(name) if budget else None
    print(f"{name:<30}{len(times):>8}{median:>12.2f}{p95:>10.2f}{limit or '-':>9}")
    if limit is not None and p95 > limit:
        over.append(name)


def timed(function, rounds=ROUNDS):
    function()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def build_library(rng):
    """Three cooperatives and thirty organisations through the services; 10,000 solutions
    with varied Dutch and English texts in bulk (the trigger indexes them as they go in)."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from cooperative import services as cooperative
    from cooperative.models import ContributionKind, OrganisationKind
    from solutions.models import Solution, SolutionCategory

    admin = get_user_model().objects.create_superuser("bench-admin", "admin@example.org", "x")
    cooperatives = [
        cooperative.create_cooperative(
            actor=admin,
            name=name,
            contribution_kind=ContributionKind.FIXED,
            contribution_amount=Decimal("1000"),
        )
        for name in ("Zuidoost-Brabant", "Dimpact", "Regio Nijmegen")
    ]
    organisations = [
        cooperative.register_organisation(
            actor=admin,
            kind=OrganisationKind.MUNICIPALITY,
            name=f"Gemeente {n}",
            cbs_code=f"GM{n:04d}",
            inhabitants=10_000 + n * 1_000,
        )
        for n in range(1, 31)
    ]
    now = timezone.now()
    solutions = []
    for n in range(SOLUTIONS):
        subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
        verbs = rng.sample(VERBS, 3)
        audience = rng.choice(AUDIENCE)
        name = f"{subject.capitalize()}{kind} {n}"
        long_nl = " ".join(
            f"Met {name} kunnen {rng.choice(AUDIENCE)} {rng.choice(SUBJECTS)} "
            f"{rng.choice(VERBS)}, zonder papier en op elk moment."
            for _ in range(rng.randint(3, 8))
        )
        solutions.append(
            Solution(
                cooperative=rng.choice(cooperatives),
                developed_by=rng.choice(organisations) if rng.random() < 0.8 else None,
                name=name,
                slug=f"oplossing-{n}",
                short_description_nl=f"{audience.capitalize()} {verbs[0]} {subject} online.",
                short_description_en=f"Residents handle {rng.choice(ENGLISH)} online.",
                long_description_nl=long_nl,
                long_description_en=f"{name} lets residents apply for {rng.choice(ENGLISH)}.",
                features_nl=[f"{subject.capitalize()} {verb}" for verb in verbs],
                features_en=[f"Handle {rng.choice(ENGLISH)}"],
                development_status=rng.choice(STATUSES),
                licence=rng.choice(LICENCES),
                adoption_count=rng.randint(0, 40),
                created_at=now - timedelta(days=rng.randint(0, 2_000)),
            )
        )
    Solution.objects.bulk_create(solutions, batch_size=1_000)
    pks = list(Solution.objects.values_list("pk", flat=True))
    SolutionCategory.objects.bulk_create(
        [
            SolutionCategory(solution_id=pk, category=category)
            for pk in pks
            for category in rng.sample(CATEGORIES, rng.randint(1, 3))
        ],
        batch_size=2_000,
    )
    # Fresh planner statistics, as autovacuum keeps them in production.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return cooperatives, organisations


def search_params(rng, cooperatives, organisations) -> dict:
    words = rng.sample(SUBJECTS, 1) + (rng.sample(VERBS, 1) if rng.random() < 0.5 else [])
    params = {"q": " ".join(words)}
    if rng.random() < 0.5:
        params["status"] = rng.sample(STATUSES, 2)
        params["category"] = rng.sample(CATEGORIES, 1)
    if rng.random() < 0.3:
        params["cooperative"] = rng.choice(cooperatives).slug
    if rng.random() < 0.2:
        params["developed_by"] = rng.choice(organisations).slug
    return params


def bench_catalogue(client, rng, cooperatives, organisations, over):
    def one(params, url="/api/v1/solutions/"):
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:500]
        return response

    sample = one(search_params(random.Random(1), cooperatives, organisations)).json()
    assert set(sample["facets"]) == {"status", "category", "licence", "cooperative", "developed_by"}
    report(
        "catalogue search",
        timed(lambda: one(search_params(rng, cooperatives, organisations))),
        over,
    )
    report(
        "catalogue, no search",
        timed(lambda: one({"status": rng.sample(STATUSES, 2)}), rounds=100),
        over,
        budget=False,
    )
    report(
        "catalogue page (HTML)",
        timed(
            lambda: one(search_params(rng, cooperatives, organisations), "/solutions/"),
            rounds=100,
        ),
        over,
        budget=False,
    )


def proposal(rng) -> tuple[str, str]:
    subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
    description = (
        f"Een {kind} waarmee {rng.choice(AUDIENCE)} hun {subject} kunnen "
        f"{rng.choice(VERBS)} en {rng.choice(VERBS)}, zodat {rng.choice(AUDIENCE)} "
        f"minder tijd kwijt zijn aan {rng.choice(SUBJECTS)}."
    )
    return f"{subject.capitalize()}{kind}", description


def bench_similar(client, rng, over):
    from django.db import connection

    from solutions.selectors import similar_to

    # SQLite's fallback counts word overlap row by row: fewer rounds.
    rounds = ROUNDS if connection.vendor == "postgresql" else 50

    title, description = proposal(random.Random(2))
    assert similar_to(title, description), "similar solutions found nothing"
    report("similar solutions", timed(lambda: similar_to(*proposal(rng)), rounds), over)

    def through_api():
        title, description = proposal(rng)
        response = client.get(
            "/api/v1/solutions/similar/", {"title": title, "description": description}
        )
        assert response.status_code == 200, response.content[:500]

    report("similar solutions (API)", timed(through_api, rounds // 2), over, budget=False)


def main() -> int:
    os.environ.setdefault("DEELBAAR_DATA_DIR", tempfile.mkdtemp(prefix="deelbaar-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deelbaar.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    scratch = connection.vendor == "postgresql"
    if scratch:
        # Never the configured database itself: a scratch one beside it.
        connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench"
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)
    over = []
    try:
        rng = random.Random(42)
        start = time.perf_counter()
        cooperatives, organisations = build_library(rng)
        print(
            f"database: {connection.vendor}; library of {SOLUTIONS} solutions "
            f"(made in {time.perf_counter() - start:.1f} s)"
        )
        client = Client()  # anonymous: the catalogue is public
        print(f"{'operation':<30}{'rounds':>8}{'median ms':>12}{'p95 ms':>10}{'budget':>9}")
        bench_catalogue(client, rng, cooperatives, organisations, over)
        bench_similar(client, rng, over)
    finally:
        if scratch:
            connection.close()
            connection.creation.destroy_test_db(old_name, verbosity=0)
    if not scratch:
        # Similar solutions have the same budget on SQLite (the product form asks for them
        # as the name is typed); the catalogue's budgets are for PostgreSQL.
        print("(the catalogue's budgets are for PostgreSQL: set DATABASE_URL to measure them)")
        over = [name for name in over if name == "similar solutions"]
    if over:
        print("over budget:", ", ".join(over))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

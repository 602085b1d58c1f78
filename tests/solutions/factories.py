"""Bulk data for the library: solutions and releases made directly, for the tests that need
hundreds or thousands of them (query counts, search) and for fixtures that must not depend on
the publication flow. Everything else goes through the services."""

from decimal import Decimal
from itertools import count

import semver
from django.utils.text import slugify

from solutions.models import Release, Solution, SolutionCategory

_numbers = count(1)

LONG = (
    "{name} is gebouwd door gemeenten samen, in sprints van twee weken, en door hun eigen "
    "medewerkers getest en geaccepteerd. Iedere gemeente die lid is van de coöperatie mag de "
    "oplossing hergebruiken zonder haar opnieuw te laten bouwen."
)


def make_solution(*, cooperative, name=None, categories=("grant-management",), **fields):
    number = next(_numbers)
    name = name or f"Oplossing {number}"
    defaults = {
        "slug": f"{slugify(name)}-{number}",
        "short_description_nl": f"{name}: een herbruikbare oplossing van de coöperatie."[:150],
        "short_description_en": f"{name}: a reusable solution of the cooperative."[:150],
        "long_description_nl": LONG.format(name=name),
        "long_description_en": LONG.format(name=name),
        "features_nl": ["Aanvragen indienen", "Besluiten vastleggen"],
        "features_en": ["Submit applications", "Record decisions"],
        "platforms": ["web"],
        "repository_url": f"https://git.example.org/deelbaar/{slugify(name)}-{number}",
        "maintenance_type": "internal",
        "maintenance_contacts": [{"name": "Beheer", "email": "beheer@example.org"}],
    }
    defaults.update(fields)
    if defaults.get("estimated_cost") is not None:
        defaults["estimated_cost"] = Decimal(defaults["estimated_cost"])
    solution = Solution.objects.create(cooperative=cooperative, name=name, **defaults)
    SolutionCategory.objects.bulk_create(
        [SolutionCategory(solution=solution, category=c) for c in categories]
    )
    return solution


def make_release(solution, version, *, increment=None, notes=""):
    parsed = semver.Version.parse(version)
    return Release.objects.create(
        solution=solution,
        version=version,
        major=parsed.major,
        minor=parsed.minor,
        patch=parsed.patch,
        prerelease=parsed.prerelease or "",
        notes=notes,
        increment=increment,
    )

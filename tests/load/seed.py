"""Generated data on top of the demo for the load test: a longer backlog for the product the
simulated people work on, made through the services as people would. Run by run.py in the
stack's environment: `python tests/load/seed.py PRODUCT ITEMS`."""

import os
import random
import sys

import django


def main(product_name: str, count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deelbaar.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from sprints import services
    from sprints.models import ItemKind, Product

    product = Product.objects.get(name=product_name)
    owner = get_user_model().objects.get(username="producteigenaar")
    rng = random.Random(42)
    subjects = ["aanvraag", "beschikking", "bijlage", "betaling", "bezwaar", "melding", "rapport"]
    verbs = ["Toon", "Controleer", "Exporteer", "Archiveer", "Bereken", "Verstuur", "Wijzig"]
    kinds = [ItemKind.STORY] * 6 + [ItemKind.BUG] * 2 + [ItemKind.CHORE]
    for n in range(count):
        services.create_item(
            actor=owner,
            product=product,
            title=f"{rng.choice(verbs)} de {rng.choice(subjects)} ({n + 1})",
            kind=rng.choice(kinds),
            description="Gegenereerd voor de belastingtest.",
            estimate=rng.choice([None, 1, 2, 3, 5, 8]),
        )
    print(f"{count} items added to {product_name}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

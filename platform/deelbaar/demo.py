"""The project's part of the demo data: an administrator and a coordinator login.

Every loader is idempotent: it finds what exists by a natural key and creates only what is
missing, so `deelbaar demo` can run any number of times. Each returns the logins it offers.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str


ADMIN = Login("administrator", "admin", "deelbaar-admin")
COORDINATOR = Login("coordinator", "coordinator", "deelbaar-demo")


def ensure_user(login: Login, *, first_name="", last_name="", email="", is_superuser=False):
    """The demo user for `login`, created with its password the first time only."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=login.username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "is_staff": is_superuser,
            "is_superuser": is_superuser,
        },
    )
    if created:
        user.set_password(login.password)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load() -> list[Login]:
    ensure_user(
        ADMIN,
        first_name="Beheer",
        last_name="Deelbaar",
        email="beheer@example.org",
        is_superuser=True,
    )
    ensure_user(
        COORDINATOR, first_name="Carla", last_name="Coördinator", email="coordinator@example.org"
    )
    return [ADMIN, COORDINATOR]

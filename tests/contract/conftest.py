"""The API contract's harness: the real ASGI app served by uvicorn, loaded with the demo.

Both contract tests talk to a real server over HTTP, as a client would: Schemathesis from its
own process, the generated client from this one.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser.conftest import LiveServer


@pytest.fixture(scope="session")
def api_server(django_db_setup, django_db_blocker):
    server = LiveServer()
    server.start()
    yield server
    server.stop()
    # Connections opened by the server's threads would keep PostgreSQL from dropping the
    # test database.
    with django_db_blocker.unblock():
        from django.db import connections

        connections.close_all()


@pytest.fixture
def demo_url(api_server, transactional_db, settings, tmp_path):
    """The server's base URL, with the demo's cooperatives, products and people committed."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DEELBAAR_GIT_MIRRORS_DIR = tmp_path / "mirrors"
    call_command("demo", no_serve=True, stdout=StringIO())
    return api_server.url


def token_for(username: str) -> str:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.get(username=username)
    return Token.objects.get_or_create(user=user)[0].key

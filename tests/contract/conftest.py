"""The API contract's harness: the real ASGI app served by uvicorn, loaded with the demo.

Both contract tests talk to a real server over HTTP, as a client would: Schemathesis from its
own process, the generated client from this one.
"""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_url(live_server_asgi, transactional_db, settings, tmp_path):
    """The server's base URL, with the demo's cooperatives, products and people committed."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DEELBAAR_GIT_MIRRORS_DIR = tmp_path / "mirrors"
    call_command("demo", no_serve=True, stdout=StringIO())
    return live_server_asgi.url


def token_for(username: str) -> str:
    from django.contrib.auth import get_user_model

    from people.services.tokens import issue_token

    user = get_user_model().objects.get(username=username)
    return issue_token(actor=user, user=user, name="contract tests")[1]

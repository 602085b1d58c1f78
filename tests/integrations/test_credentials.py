"""Credentials never travel in a repository's address: an address with a user name or password
is refused (API and page), a token goes into the write-only access token, which git gets in its
environment and nobody sees again (API, page, audit trail, sync messages, the mirror's config).

The git server here is a real one over plain http (git's dumb protocol, served from a bare
repository) that wants the token; repositories may only be linked over https, so its
repository row is made directly, as the pinning tests call git directly."""

import base64
import functools
import subprocess
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest
from django.apps import apps as global_apps
from django.urls import reverse

from cooperative.models import AuditRecord
from integrations import git as mirrors
from integrations.models import Repository, SyncState
from integrations.services import repositories as services
from tests.integrations.gitrepos import as_, page_url, sync

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("git_settings")]

TOKEN = "ghp_S3cretT0kenForTheTest"
WITH_CREDENTIALS = [
    f"https://dani:{TOKEN}@github.com/org/app.git",
    f"https://{TOKEN}@github.com/org/app.git",
    f"https://oauth2:{TOKEN}@gitlab.com/org/app.git",
    f"ssh://git:{TOKEN}@github.com/org/app.git",
]


@pytest.mark.parametrize("url", WITH_CREDENTIALS)
def test_the_api_refuses_an_address_with_credentials(product, product_owner, url):
    response = as_(product_owner).post(
        "/api/v1/repositories/", {"product": product.pk, "url": url}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "credentials"
    assert body["errors"][0]["field"] == "url"
    assert "user name or password" in body["detail"]
    assert TOKEN not in response.content.decode()
    assert not Repository.objects.exists()


IN_QUERY_OR_FRAGMENT = [
    f"https://github.com/gemboxx/subsidie.git?token={TOKEN}",
    f"https://github.com/gemboxx/subsidie.git#{TOKEN}",
    f"https://github.com/gemboxx/subsidie.git?private_token={TOKEN}#main",
    f"ssh://git@github.com/gemboxx/subsidie.git?{TOKEN}",
    f"git@github.com:gemboxx/subsidie.git#{TOKEN}",
]


@pytest.mark.parametrize("url", IN_QUERY_OR_FRAGMENT)
def test_the_api_refuses_an_address_with_a_query_or_fragment(product, product_owner, url):
    # Hosts take tokens in the query (GitLab's private_token), and a fragment is as public:
    # the address is shown to everyone who may see the repository, its state message too.
    response = as_(product_owner).post(
        "/api/v1/repositories/", {"product": product.pk, "url": url}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "credentials"
    assert body["errors"][0]["field"] == "url"
    assert "query string or fragment" in body["detail"]
    assert TOKEN not in response.content.decode()
    assert not Repository.objects.exists()


def test_the_page_refuses_an_address_with_a_query_without_showing_it(
    client, product, product_owner
):
    client.force_login(product_owner)
    url = reverse("integrations:repository_list", kwargs={"product_id": product.pk})
    response = client.post(
        url, {"url": IN_QUERY_OR_FRAGMENT[0], "default_branch": "main"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "query string or fragment" in html
    assert TOKEN not in html
    assert not Repository.objects.exists()


def test_ssh_user_names_stay_allowed(product, product_owner):
    client = as_(product_owner)
    for url in ("ssh://git@github.com/org/a.git", "git@github.com:org/b.git"):
        response = client.post(
            "/api/v1/repositories/", {"product": product.pk, "url": url}, format="json"
        )
        assert response.status_code == 201, response.json()


def test_the_page_refuses_an_address_with_credentials(client, product, product_owner):
    client.force_login(product_owner)
    url = reverse("integrations:repository_list", kwargs={"product_id": product.pk})
    response = client.post(
        url, {"url": WITH_CREDENTIALS[0], "default_branch": "main"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "user name or password" in response.content.decode()
    assert TOKEN not in response.content.decode()
    assert not Repository.objects.exists()


def test_a_token_is_write_only_everywhere(client, product, product_owner, developer):
    response = as_(product_owner).post(
        "/api/v1/repositories/",
        {
            "product": product.pk,
            "url": "https://github.com/org/app.git",
            "access_username": "deploy-bot",
            "access_token": TOKEN,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["has_access_token"] is True
    assert body["access_username"] == "deploy-bot"
    assert "access_token" not in body
    repository = Repository.objects.get()
    assert repository.access_token == TOKEN

    for user in (product_owner, developer):
        api = as_(user)
        for path in ("/api/v1/repositories/", f"/api/v1/repositories/{repository.pk}/"):
            answer = api.get(path)
            assert answer.status_code == 200
            assert TOKEN not in answer.content.decode()
        client.force_login(user)
        page = client.get(page_url(repository), HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        assert TOKEN not in page.content.decode()
    # The page says a token is set, to those who manage the repository.
    client.force_login(product_owner)
    assert (
        "with an access token, as deploy-bot"
        in client.get(page_url(repository), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )

    # Replaced and removed through the API; the audit trail says only that it changed.
    api = as_(product_owner)
    changed = api.post(
        f"/api/v1/repositories/{repository.pk}/access-token/",
        {"access_token": "glpat-AnotherToken"},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["has_access_token"] is True
    assert "glpat-AnotherToken" not in changed.content.decode()
    removed = api.post(f"/api/v1/repositories/{repository.pk}/access-token/", {}, format="json")
    assert removed.json()["has_access_token"] is False
    repository.refresh_from_db()
    assert repository.access_token == ""
    # A developer may see the repository but not change its token.
    refused = as_(developer).post(
        f"/api/v1/repositories/{repository.pk}/access-token/", {"access_token": "x"}
    )
    assert refused.status_code == 403

    records = AuditRecord.objects.filter(action__startswith="repository.")
    assert records.count() == 3
    for record in records:
        assert TOKEN not in str(record.changes)
        assert "glpat-AnotherToken" not in str(record.changes)


def test_a_token_needs_an_https_address(product, product_owner):
    response = as_(product_owner).post(
        "/api/v1/repositories/",
        {"product": product.pk, "url": "git@github.com:org/app.git", "access_token": TOKEN},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "access_token"


def test_messages_never_quote_credentials():
    text = f"fatal: unable to access 'https://dani:{TOKEN}@github.com/x.git/': 403"
    assert TOKEN not in mirrors.scrub(text)
    assert "https://***@github.com/x.git/" in mirrors.scrub(text)
    assert mirrors.scrub(f"token {TOKEN} leaked", TOKEN) == "token *** leaked"


def test_messages_never_quote_a_query_or_fragment():
    text = (
        f"fatal: repository 'https://github.com/x.git?token={TOKEN}/' not found; "
        f"see https://github.com/y.git#{TOKEN}"
    )
    scrubbed = mirrors.scrub(text)
    assert TOKEN not in scrubbed
    assert "'https://github.com/x.git?***' not found" in scrubbed
    assert scrubbed.endswith("see https://github.com/y.git#***")
    # An address without either is left as it is.
    assert mirrors.scrub("https://github.com/x.git/ 404") == "https://github.com/x.git/ 404"


class TokenServer:
    """Serves a bare repository over git's dumb http protocol to requests that carry
    `Authorization: Basic <user:token>`, 401 to the others; records each Authorization."""

    def __init__(self, root, username, token):
        self.seen = []
        expected = "Basic " + base64.b64encode(f"{username}:{token}".encode()).decode()
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self):
                given = self.headers.get("Authorization")
                server.seen.append(given)
                if given != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="git"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                super().do_GET()

            def log_message(self, *args):
                pass

        handler = functools.partial(Handler, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/app.git"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def token_server(work, tmp_path, settings):
    work.commit("one")
    work.commit("two")
    root = tmp_path / "served"
    root.mkdir()
    subprocess.run(
        ["git", "clone", "--bare", "--quiet", str(work.path), str(root / "app.git")], check=True
    )
    subprocess.run(["git", "update-server-info"], cwd=root / "app.git", check=True)
    settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["127.0.0.1"]
    server = TokenServer(root, "deploy-bot", TOKEN)
    yield server
    server.close()


def test_git_reads_with_the_token_and_keeps_it_out_of_the_mirror(token_server, product):
    repository = Repository.objects.create(
        product=product,
        url=token_server.url,
        access_username="deploy-bot",
        access_token=TOKEN,
    )
    assert sync(repository) == SyncState.SYNCED, repository.state_message
    assert repository.commits.count() == 2
    assert any(seen and seen.startswith("Basic ") for seen in token_server.seen)
    # Nothing of the token in the mirror's files (config, packed refs, logs).
    for path in mirrors.mirror_path(repository.pk).rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert TOKEN.encode() not in content, path
            assert base64.b64encode(f"deploy-bot:{TOKEN}".encode()) not in content, path


def test_a_wrong_token_fails_without_quoting_it(token_server, product):
    wrong = "ghp_WrongTokenWrongToken"
    repository = Repository.objects.create(
        product=product, url=token_server.url, access_token=wrong
    )
    assert sync(repository) == SyncState.FAILED
    assert "not allowed to read" in repository.state_message
    assert wrong not in repository.state_message
    assert TOKEN not in repository.state_message
    assert not mirrors.mirror_path(repository.pk).exists()


def test_the_migration_moves_credentials_out_of_linked_addresses(product):
    from importlib import import_module

    migration = import_module("integrations.migrations.0004_repository_token_lease_hook_digest")
    Repository.objects.bulk_create(
        [
            Repository(product=product, url=f"https://dani:{TOKEN}@github.com/org/a.git"),
            Repository(product=product, url=f"https://{TOKEN}@gitlab.com/org/b.git"),
            Repository(product=product, url="git@github.com:org/c.git"),
        ]
    )
    migration.move_credentials_out_of_urls(global_apps, None)

    rows = {r.url: (r.access_username, r.access_token) for r in Repository.objects.all()}
    assert rows == {
        "https://github.com/org/a.git": ("dani", TOKEN),
        "https://gitlab.com/org/b.git": ("", TOKEN),
        "git@github.com:org/c.git": ("", ""),
    }


def test_link_service_keeps_the_token_out_of_the_audit_record(product, product_owner):
    repository = services.link_repository(
        actor=product_owner,
        product=product,
        url="https://github.com/org/app.git",
        access_token=TOKEN,
        sync=False,
    )
    record = AuditRecord.objects.get(action="repository.linked")
    assert record.changes["access_token"] == [None, "set"]
    assert TOKEN not in str(record.changes)
    assert repository.access_token == TOKEN

"""The repositories API and pages: permission matrix, linking, syncing, commits lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations.models import Commit, Repository, SyncState
from integrations.services import repositories as services
from tests.integrations.gitrepos import as_, link_and_sync


@pytest.fixture(autouse=True)
def git_settings(git_settings):
    git_settings.DEELBAAR_ALLOWED_REMOTE_HOSTS = ["github.com"]
    return git_settings


@pytest.fixture
def repository(work, product, product_owner, make_item):
    item = make_item()
    work.commit(f"{item.reference}: first")
    work.commit("second")
    return link_and_sync(product, product_owner, work.path)


@pytest.fixture
def people(product_owner, coordinator, developer, outsider_person):
    return {
        "product_owner": product_owner,
        "coordinator": coordinator,
        "developer": developer,
        "outsider_person": outsider_person,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "read", "manage"),
    [
        ("product_owner", 200, True),
        ("coordinator", 200, True),
        ("developer", 200, False),
        ("outsider_person", 404, False),
    ],
)
def test_permission_matrix(
    role, read, manage, people, repository, django_capture_on_commit_callbacks, make_item
):
    client = as_(people[role])
    url = f"/api/v1/repositories/{repository.pk}/"
    response = client.get(url)
    assert response.status_code == read
    if read == 200:
        assert ("hook_secret" in response.json()) is manage
    listed = client.get("/api/v1/repositories/").json()["results"]
    assert [r["id"] for r in listed] == ([repository.pk] if read == 200 else [])
    assert client.get(f"{url}commits/").status_code == read
    item = repository.commits.filter(items__isnull=False).first().items.first()
    assert client.get(f"/api/v1/items/{item.pk}/commits/").status_code == read

    forbidden = 403 if read == 200 else 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}sync/")
    assert response.status_code == (202 if manage else forbidden)
    response = client.post(
        "/api/v1/repositories/",
        {"product": repository.product_id, "url": "https://github.com/vng/other.git"},
        format="json",
    )
    if manage:
        assert response.status_code == 201, response.json()
    elif read == 200:
        assert response.status_code == 403
    else:
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "product"
    response = client.delete(url)
    assert response.status_code == (204 if manage else forbidden)
    assert Repository.objects.filter(pk=repository.pk).exists() is not manage


@pytest.mark.django_db
def test_anonymous_is_refused(repository):
    assert as_(None).get("/api/v1/repositories/").status_code in (401, 403)
    assert as_(None).get(f"/api/v1/repositories/{repository.pk}/").status_code in (401, 403)


@pytest.mark.django_db
def test_link_refuses_hosts_off_the_allow_list(product, product_owner, settings):
    client = as_(product_owner)
    for url in ("https://evil.example.com/x.git", "file:///etc", "ext::sh -c id"):
        response = client.post(
            "/api/v1/repositories/", {"product": product.pk, "url": url}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "url"
    settings.DEELBAAR_GIT_ALLOW_LOCAL_PATHS = False
    response = client.post(
        "/api/v1/repositories/", {"product": product.pk, "url": "/srv/git/x"}, format="json"
    )
    assert response.status_code == 400
    response = client.post(
        "/api/v1/repositories/",
        {"product": product.pk, "url": "https://github.com/a/b.git", "default_branch": "-x"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "default_branch"
    assert not Repository.objects.exists()


@pytest.mark.django_db
def test_link_twice_is_a_conflict(product, product_owner):
    client = as_(product_owner)
    body = {"product": product.pk, "url": "https://github.com/a/b.git"}
    assert client.post("/api/v1/repositories/", body, format="json").status_code == 201
    response = client.post("/api/v1/repositories/", body, format="json")
    assert response.status_code == 409
    assert Repository.objects.count() == 1


@pytest.mark.django_db
def test_sync_through_the_api_imports_new_commits(
    repository, work, product_owner, django_capture_on_commit_callbacks, eager
):
    work.commit("third")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_(product_owner).post(f"/api/v1/repositories/{repository.pk}/sync/")
    assert response.status_code == 202
    repository.refresh_from_db()
    assert repository.state == SyncState.SYNCED
    assert repository.commits.count() == 3


@pytest.mark.django_db
def test_commits_list_at_constant_queries(repository, work, product_owner, make_item):
    client = as_(product_owner)
    url = f"/api/v1/repositories/{repository.pk}/commits/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.json()

    small, body = count()
    assert body["count"] == 2
    items = [make_item(f"Item {n}") for n in range(5)]
    for item in items:
        work.commit(f"{item.reference} and SUB-1")
    services.sync_repository(repository.pk)
    large, body = count()
    assert body["count"] == 7
    assert large == small
    # Commits made within one second tie on time; find the one by its message.
    first = next(c for c in body["results"] if c["message"].startswith(items[-1].reference))
    assert {"sha", "author_name", "message", "parents", "items"} <= set(first)
    assert len(first["items"]) == 2


@pytest.mark.django_db
def test_item_commits_list(repository, product_owner):
    item = Commit.objects.filter(items__isnull=False).first().items.first()
    response = as_(product_owner).get(f"/api/v1/items/{item.pk}/commits/")
    assert response.status_code == 200
    assert [c["message"] for c in response.json()["results"]] == [f"{item.reference}: first"]


# --- Pages -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_repository_page_shows_state_and_progress(client, repository, product_owner):
    client.force_login(product_owner)
    url = reverse(
        "integrations:repository_detail",
        kwargs={"product_id": repository.product_id, "repository_id": repository.pk},
    )
    html = client.get(url).content.decode()
    assert '<progress id="repository-progress"' in html
    assert repository.head_sha in html
    assert "integrations/repository.js" in html
    assert 'id="hook-secret"' in html


@pytest.mark.django_db
def test_repository_pages_permissions(client, repository, developer, outsider_person):
    detail = reverse(
        "integrations:repository_detail",
        kwargs={"product_id": repository.product_id, "repository_id": repository.pk},
    )
    sync = reverse(
        "integrations:repository_sync",
        kwargs={"product_id": repository.product_id, "repository_id": repository.pk},
    )
    client.force_login(developer)
    response = client.get(detail)
    assert response.status_code == 200
    assert 'id="hook-secret"' not in response.content.decode()
    assert client.post(sync).status_code == 403
    client.force_login(outsider_person)
    assert client.get(detail).status_code == 404
    assert client.post(sync).status_code == 404


@pytest.mark.django_db
def test_link_page_shows_problems(client, product, product_owner):
    client.force_login(product_owner)
    url = reverse("integrations:repository_list", kwargs={"product_id": product.pk})
    response = client.post(
        url,
        {"url": "https://evil.example.com/x", "default_branch": "main"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "not on the list of allowed hosts" in response.content.decode()
    assert not Repository.objects.exists()


@pytest.mark.django_db
def test_item_page_lists_its_commits(client, repository, product_owner):
    item = Commit.objects.filter(items__isnull=False).first().items.first()
    client.force_login(product_owner)
    html = client.get(
        reverse("sprints:item_detail", kwargs={"product_id": item.product_id, "item_id": item.pk})
    ).content.decode()
    assert f"{item.reference}: first" in html

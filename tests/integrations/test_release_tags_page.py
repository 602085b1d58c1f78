"""Release tags on the repository page and in the API: pushed and local tags, the changelog,
who may see them, and the list's constant number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integrations.models import ReleaseTag
from tests.integrations.gitrepos import as_, link_and_sync, page_url
from tests.solutions.factories import make_release

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("git_settings")]

LOCAL_NOTE = "Only in the platform's mirror:"
PUSHED_NOTE = "Pushed to the remote repository."


@pytest.fixture
def repository(work, product, product_owner):
    work.commit("First")
    return link_and_sync(product, product_owner, work.path)


def make_tag(repository, release, *, pushed, changelog="", minutes_ago=0):
    return ReleaseTag.objects.create(
        release=release,
        repository=repository,
        name=f"v{release.version}",
        sha=repository.head_sha,
        pushed=pushed,
        message=f"{release.solution.name} {release.version}, published in Deelbaar.",
        changelog=changelog,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


@pytest.fixture
def tags(repository, solution, make_item):
    item = make_item("Formulier invullen")
    older = make_tag(
        repository,
        solution.releases.get(version="1.0.0"),
        pushed=True,
        changelog="## Changes in v1.0.0\n\n- 0123456789 First\n",
        minutes_ago=10,
    )
    newer = make_tag(
        repository,
        make_release(solution, "1.1.0"),
        pushed=False,
        changelog=(
            "## Changes in v1.1.0 since v1.0.0\n\n"
            f"### {item.reference} Formulier invullen\n\n- abcdef0123 Start <the> form\n\n"
            "### Other changes\n\n- 9876543210 Tidy the README\n"
        ),
    )
    return newer, older


# --- The page ----------------------------------------------------------------------------------
def test_page_lists_pushed_and_local_tags_with_their_changelogs(
    client, repository, tags, product_owner, solution
):
    newer, older = tags
    client.force_login(product_owner)
    response = client.get(page_url(repository), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()

    section = html[html.index('id="tags"') : html.index('id="commits-heading"')]
    # Newest first.
    assert section.index('data-tag="v1.1.0"') < section.index('data-tag="v1.0.0"')
    newer_html = section[
        section.index(f'id="tag-{newer.pk}"') : section.index(f'id="tag-{older.pk}"')
    ]
    older_html = section[section.index(f'id="tag-{older.pk}"') :]

    assert 'data-pushed="false"' in newer_html
    assert LOCAL_NOTE in newer_html
    assert "may not push to the repository" in newer_html
    assert PUSHED_NOTE not in newer_html
    assert 'data-pushed="true"' in older_html
    assert PUSHED_NOTE in older_html
    assert LOCAL_NOTE not in older_html

    # The release, linked on its solution's page, and the tagged commit's short SHA.
    link = reverse("solutions:detail", args=[solution.slug]) + f"#release-{newer.release_id}"
    assert f'href="{link}"' in newer_html
    assert "Release 1.1.0 of Subsidiesysteem" in newer_html
    assert f'title="{repository.head_sha}">{repository.head_sha[:10]}</code>' in newer_html

    # The changelog, folded away, as text (escaped, never markup).
    assert f'<details class="integrations-changelog" id="tag-{newer.pk}-changelog">' in newer_html
    assert "### Other changes" in newer_html
    assert "- abcdef0123 Start &lt;the&gt; form" in newer_html
    assert "Start <the> form" not in html


def test_page_without_tags_says_so(client, repository, product_owner):
    client.force_login(product_owner)
    html = client.get(page_url(repository), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No release has been tagged in this repository yet." in html


@pytest.mark.parametrize(
    ("role", "status"),
    [("product_owner", 200), ("coordinator", 200), ("developer", 200), ("outsider_person", 404)],
)
def test_page_permissions(client, request, repository, tags, role, status):
    client.force_login(request.getfixturevalue(role))
    response = client.get(page_url(repository), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    assert ('data-tag="v1.1.0"' in response.content.decode()) is (status == 200)


def test_page_needs_login(client, repository, tags):
    response = client.get(page_url(repository))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- The API -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "status"),
    [("product_owner", 200), ("coordinator", 200), ("developer", 200), ("outsider_person", 404)],
)
def test_api_permissions(request, repository, tags, role, status):
    response = as_(request.getfixturevalue(role)).get(f"/api/v1/repositories/{repository.pk}/tags/")
    assert response.status_code == status
    if status == 200:
        assert [t["name"] for t in response.json()["results"]] == ["v1.1.0", "v1.0.0"]


def test_api_refuses_anonymous_and_unknown(repository, tags, product_owner):
    assert as_(None).get(f"/api/v1/repositories/{repository.pk}/tags/").status_code in (401, 403)
    assert as_(product_owner).get("/api/v1/repositories/999999/tags/").status_code == 404


def test_api_is_read_only(repository, tags, product_owner):
    client = as_(product_owner)
    url = f"/api/v1/repositories/{repository.pk}/tags/"
    assert client.post(url, {"name": "v9"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert ReleaseTag.objects.count() == 2


def test_api_shows_each_tag_with_its_release(repository, tags, product_owner, solution):
    newer, _older = tags
    body = as_(product_owner).get(f"/api/v1/repositories/{repository.pk}/tags/").json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["id"] == newer.pk
    assert first["pushed"] is False
    assert first["sha"] == repository.head_sha
    assert first["changelog"].startswith("## Changes in v1.1.0 since v1.0.0")
    assert first["release"] == {
        "id": newer.release_id,
        "version": "1.1.0",
        "solution": solution.pk,
        "solution_slug": solution.slug,
        "solution_name": "Subsidiesysteem",
    }


def test_api_list_at_constant_queries(repository, tags, product_owner, solution, zob, eindhoven):
    from tests.solutions.factories import make_solution

    client = as_(product_owner)
    url = f"/api/v1/repositories/{repository.pk}/tags/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.json()

    small, body = count()
    assert body["count"] == 2
    # More tags, of releases of more than one solution.
    other = make_solution(cooperative=zob, name="Zaaksysteem", developed_by=eindhoven)
    for n in range(2, 7):
        make_tag(repository, make_release(solution, f"1.{n}.0"), pushed=n % 2 == 0)
        make_tag(repository, make_release(other, f"2.{n}.0"), pushed=False)
    large, body = count()
    assert body["count"] == 12
    assert large == small
    assert {t["release"]["solution_name"] for t in body["results"]} == {
        "Subsidiesysteem",
        "Zaaksysteem",
    }


def test_page_shows_the_newest_tags_and_links_to_all(
    client, repository, tags, product_owner, solution
):
    for n in range(2, 12):
        make_tag(repository, make_release(solution, f"1.{n}.0"), pushed=True, minutes_ago=-n)
    client.force_login(product_owner)
    html = client.get(page_url(repository), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = re.findall(r'data-tag="([^"]+)"', html)
    assert shown == [f"v1.{n}.0" for n in range(11, 1, -1)]
    assert 'id="all-tags"' in html and "Only the newest 10 tags are shown" in html

    html = client.get(page_url(repository) + "?tags=all", HTTP_ACCEPT_LANGUAGE="en")
    shown = re.findall(r'data-tag="([^"]+)"', html.content.decode())
    assert len(shown) == 12 and shown[-2:] == ["v1.1.0", "v1.0.0"]
    assert 'id="all-tags"' not in html.content.decode()

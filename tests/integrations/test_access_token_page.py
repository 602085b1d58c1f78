"""The repository page's access-token form: those who manage the repository replace or remove
its token after linking (the same service as `POST /api/v1/repositories/{id}/access-token/`);
the page says only whether a token is set and never renders one back. Developers and testers of
the product get 403, people who may not see the product 404."""

import pytest
from django.urls import reverse

from cooperative.models import AuditRecord
from integrations.models import Repository
from tests.integrations.gitrepos import page_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("git_settings")]

TOKEN = "ghp_S3cretT0kenForThePage"
NEW_TOKEN = "glpat-AN3wT0kenForThePage"


@pytest.fixture
def repository(link):
    return link("https://github.com/org/app.git", access_token=TOKEN)


def form_url(repository) -> str:
    return reverse(
        "integrations:repository_access_token",
        kwargs={"product_id": repository.product_id, "repository_id": repository.pk},
    )


def post(client, repository, **data):
    return client.post(form_url(repository), data, HTTP_ACCEPT_LANGUAGE="en", follow=True)


@pytest.mark.parametrize("role", ["product_owner", "coordinator"])
def test_those_who_manage_replace_and_remove_the_token(client, request, repository, role):
    client.force_login(request.getfixturevalue(role))
    page = client.get(page_url(repository), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="access-token-form"' in page
    assert '<input class="utrecht-textbox utrecht-textbox--html-input" type="password"' in page
    assert 'name="access_token" id="token-access_token" value=""' in page
    assert "Git reads the repository with an access token." in page
    assert TOKEN not in page

    replaced = post(
        client, repository, change="replace", access_username="deploy-bot", access_token=NEW_TOKEN
    )
    assert replaced.redirect_chain[-1][0].endswith("#access-token-heading")
    html = replaced.content.decode()
    assert "The new access token is saved; the next sync uses it." in html
    assert "with an access token, as deploy-bot" in html
    assert NEW_TOKEN not in html
    repository.refresh_from_db()
    assert (repository.access_username, repository.access_token) == ("deploy-bot", NEW_TOKEN)

    # Removing ignores whatever is typed in the other fields.
    removed = post(client, repository, change="remove", access_username="x", access_token="y")
    html = removed.content.decode()
    assert "The access token is removed: git reads the repository without one." in html
    assert "Git reads the repository without an access token." in html
    repository.refresh_from_db()
    assert (repository.access_username, repository.access_token) == ("", "")

    changes = [
        r.changes
        for r in AuditRecord.objects.filter(action="repository.access_token_changed").order_by("pk")
    ]
    assert changes == [{"access_token": ["set", "set"]}, {"access_token": ["set", None]}]


def test_an_empty_token_removes_nothing(client, repository, product_owner):
    client.force_login(product_owner)
    response = post(client, repository, change="replace", access_username="deploy-bot")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the new access token, or choose to remove the access token." in html
    assert 'aria-invalid="true"' in html
    repository.refresh_from_db()
    assert repository.access_token == TOKEN
    assert not AuditRecord.objects.filter(action="repository.access_token_changed").exists()


def test_a_refused_token_is_not_shown_back(client, repository, product_owner):
    client.force_login(product_owner)
    bad = "ghp_with space"
    response = post(client, repository, change="replace", access_token=bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "contain no spaces, control characters or colons" in html
    assert bad not in html
    assert TOKEN not in html
    repository.refresh_from_db()
    assert repository.access_token == TOKEN


def test_a_choice_is_required(client, repository, product_owner):
    client.force_login(product_owner)
    response = post(client, repository, access_token=NEW_TOKEN)
    assert response.status_code == 400
    repository.refresh_from_db()
    assert repository.access_token == TOKEN


@pytest.mark.parametrize(
    ("role", "status"),
    [("developer", 403), ("tester", 403), ("outsider_person", 404), ("other_coordinator", 404)],
)
def test_the_wrong_role_changes_nothing(client, request, repository, role, status):
    client.force_login(request.getfixturevalue(role))
    response = client.post(form_url(repository), {"change": "remove"})
    assert response.status_code == status
    page = client.get(page_url(repository))
    assert page.status_code == (200 if status == 403 else 404)
    # Who may not change the token is not offered the form, nor told whether one is set.
    assert 'id="access-token-form"' not in page.content.decode()
    assert 'id="access-token-state"' not in page.content.decode()
    repository.refresh_from_db()
    assert repository.access_token == TOKEN


def test_anonymous_is_sent_to_log_in(client, repository):
    response = client.post(form_url(repository), {"change": "remove"})
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert Repository.objects.get().access_token == TOKEN


def test_only_a_post_changes_it(client, repository, product_owner):
    client.force_login(product_owner)
    assert client.get(form_url(repository)).status_code == 405

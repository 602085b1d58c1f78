"""The metadata pages: download, edit (error summary, stale version) and import (every
problem with its key path), with the permission per page and role, and the solution page's
metadata section."""

import re

import pytest
import yaml
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from solutions.models import Solution
from solutions.publiccode import export_publiccode, publiccode_yaml

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def edit_url(solution):
    return reverse("solutions:edit", kwargs={"slug": solution.slug})


IMPORT_URL = "/solutions/import/"


def form_data(client, solution) -> dict:
    """What the edit form holds when opened, as a browser would send it back."""
    form = client.get(edit_url(solution)).context["form"]
    data = {}
    for field in form:
        value = field.value()
        if value is None:
            continue
        data[field.html_name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


# --- Download ------------------------------------------------------------------------------------
def test_anyone_downloads_the_file(solution):
    response = Client().get(f"/solutions/{solution.slug}/publiccode.yml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert response["Content-Disposition"] == 'attachment; filename="publiccode.yml"'
    assert yaml.safe_load(response.content)["name"] == "Subsidiesysteem"


def test_an_unknown_solution_has_no_download():
    assert Client().get("/solutions/bestaat-niet/publiccode.yml").status_code == 404


# --- Edit ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "who, status",
    [
        ("outsider_person", 403),
        ("developer", 403),
        ("other_coordinator", 403),
        ("product_owner", 200),
        ("coordinator", 200),
    ],
)
def test_who_may_open_and_save_the_edit_page(request, solution, coordinator, who, status):
    data = form_data(client_for(coordinator), solution)
    client = client_for(request.getfixturevalue(who))
    assert client.get(edit_url(solution)).status_code == status
    data["name"] = "Subsidies"
    response = client.post(edit_url(solution), data)
    assert response.status_code == (302 if status == 200 else 403)
    expected = "Subsidies" if status == 200 else "Subsidiesysteem"
    assert Solution.objects.get(pk=solution.pk).name == expected


def test_anonymous_visitors_are_sent_to_log_in(solution):
    response = Client().get(edit_url(solution))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_solution_cannot_be_edited(coordinator):
    assert client_for(coordinator).get("/solutions/bestaat-niet/edit/").status_code == 404


def test_the_form_shows_every_field_as_it_is(coordinator, solution):
    response = client_for(coordinator).get(edit_url(solution))
    html = response.content.decode()
    assert 'id="metadata-form"' in html
    assert 'value="Subsidiesysteem"' in html
    assert "Beheer | beheer@example.org" in html  # contacts, one a line
    assert 'value="grant-management" id="metadata-categories_' in html


def test_saving_turns_lines_into_lists(coordinator, solution):
    client = client_for(coordinator)
    data = form_data(client, solution)
    data.update(
        {
            "features_nl": "Aanvragen\n\n  Beoordelen  \n",
            "maintenance_type": "contract",
            "maintenance_contractors": "Gemboxx | 2027-12-31 | support@gemboxx.example\n",
            "dependencies": "PostgreSQL | open | 14\n",
            "categories": ["grant-management", "payment-gateway"],
        }
    )
    response = client.post(edit_url(solution), data)
    assert response.status_code == 302
    solution = Solution.objects.get(pk=solution.pk)
    assert solution.features_nl == ["Aanvragen", "Beoordelen"]
    assert solution.maintenance_contractors == [
        {"name": "Gemboxx", "until": "2027-12-31", "email": "support@gemboxx.example"}
    ]
    assert solution.maintenance_contacts == []
    assert solution.dependencies == [{"name": "PostgreSQL", "kind": "open", "version_min": "14"}]
    assert solution.categories.count() == 2


def test_problems_are_summarised_and_shown_beside_their_fields(coordinator, solution):
    client = client_for(coordinator)
    data = form_data(client, solution)
    data.update(
        {
            "short_description_nl": "x" * 151,
            "licence": "Foo-1.0",
            "maintenance_type": "contract",
            "maintenance_contractors": "Gemboxx | 2027-12-31\nBeheer BV | eind 2027",
        }
    )
    response = client.post(edit_url(solution), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#metadata-short_description_nl"' in html
    assert 'href="#metadata-licence"' in html
    form = response.context["form"]
    # "Line 2:" in English, "Regel 2:" in Dutch, the default.
    assert re.match(r"(Line|Regel) 2:", form.errors["maintenance_contractors"][0])
    assert Solution.objects.get(pk=solution.pk).version == 1


def test_a_stale_version_is_refused_and_the_page_says_so(coordinator, product_owner, solution):
    data = form_data(client_for(coordinator), solution)
    other = form_data(client_for(product_owner), solution)
    other["name"] = "Eerst"
    assert client_for(product_owner).post(edit_url(solution), other).status_code == 302
    data["name"] = "Daarna"
    response = client_for(coordinator).post(edit_url(solution), data)
    assert response.status_code == 412
    html = response.content.decode()
    assert 'id="stale-message"' in html
    assert 'data-field="name"' in html  # what the other person changed
    assert response.context["form"]["version"].value() == "2"
    assert Solution.objects.get(pk=solution.pk).name == "Eerst"


# --- Import --------------------------------------------------------------------------------------
@pytest.fixture
def text(solution):
    data = export_publiccode(solution)
    data["name"] = "Subsidieregeling"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize(
    "who, status",
    [("outsider_person", 403), ("member_person", 403), ("developer", 403), ("coordinator", 200)],
)
def test_only_coordinators_open_the_import_page(request, who, status, zob):
    client = client_for(request.getfixturevalue(who))
    assert client.get(IMPORT_URL).status_code == status


def test_anonymous_visitors_log_in_to_import():
    response = Client().get(IMPORT_URL)
    assert response.status_code == 302


def test_a_coordinator_imports_a_pasted_file(coordinator, zob, text):
    response = client_for(coordinator).post(IMPORT_URL, {"cooperative": zob.pk, "text": text})
    assert response.status_code == 302
    solution = Solution.objects.get(name="Subsidieregeling")
    assert solution.cooperative == zob
    assert response["Location"] == f"/solutions/{solution.slug}/"


def test_a_coordinator_imports_an_uploaded_file(coordinator, zob, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("publiccode.yml", text.encode())
    response = client_for(coordinator).post(IMPORT_URL, {"cooperative": zob.pk, "file": upload})
    assert response.status_code == 302
    assert Solution.objects.filter(name="Subsidieregeling").exists()


def test_every_problem_of_the_file_is_listed_with_its_key_path(coordinator, zob, solution):
    data = export_publiccode(solution)
    data["developmentStatus"] = "af"
    data["legal"]["license"] = "Foo-1.0"
    before = Solution.objects.count()
    response = client_for(coordinator).post(
        IMPORT_URL, {"cooperative": zob.pk, "text": yaml.safe_dump(data)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-problems"' in html
    assert 'data-path="developmentStatus"' in html
    assert 'data-path="legal.license"' in html
    assert Solution.objects.count() == before


def test_not_yaml_is_listed_as_the_file_as_a_whole(coordinator, zob):
    response = client_for(coordinator).post(IMPORT_URL, {"cooperative": zob.pk, "text": "- ["})
    assert 'data-path=""' in response.content.decode()


def test_a_coordinator_cannot_import_into_another_cooperative(coordinator, dimpact, text):
    response = client_for(coordinator).post(IMPORT_URL, {"cooperative": dimpact.pk, "text": text})
    assert response.status_code == 200
    assert "cooperative" in response.context["form"].errors
    assert not Solution.objects.filter(name="Subsidieregeling").exists()


def test_an_editor_updates_a_solution_from_a_file(product_owner, solution, text):
    client = client_for(product_owner)
    assert client.get(f"{IMPORT_URL}?solution={solution.slug}").status_code == 200
    response = client.post(IMPORT_URL, {"solution": solution.slug, "text": text})
    assert response.status_code == 302
    assert Solution.objects.get(pk=solution.pk).name == "Subsidieregeling"


def test_others_cannot_update_a_solution_from_a_file(developer, solution, text):
    client = client_for(developer)
    assert client.get(f"{IMPORT_URL}?solution={solution.slug}").status_code == 403
    assert client.post(IMPORT_URL, {"solution": solution.slug, "text": text}).status_code == 403


# --- The solution page's section -----------------------------------------------------------------
def render_section(solution, user):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load solution_publiccode %}{% publiccode_section solution %}")
    return template.render(Context({"solution": solution, "request": request}))


def test_the_section_offers_the_download_to_everyone(solution):
    from django.contrib.auth.models import AnonymousUser

    html = render_section(solution, AnonymousUser())
    assert f'href="/solutions/{solution.slug}/publiccode.yml"' in html
    assert 'id="metadata-edit"' not in html


def test_the_section_offers_editing_to_editors_with_what_is_missing(coordinator, zob, solution):
    html = render_section(solution, coordinator)
    assert f'href="/solutions/{solution.slug}/edit/"' in html
    assert 'id="publiccode-incomplete"' not in html
    Solution.objects.filter(pk=solution.pk).update(repository_url="")
    html = render_section(Solution.objects.get(pk=solution.pk), coordinator)
    assert 'id="publiccode-incomplete"' in html
    assert 'data-path="url"' in html
    assert publiccode_yaml(solution)

"""The publiccode.yml and metadata API: the public file, the import with every problem at its
key path, and metadata edits with a version; the permission matrix per endpoint and role."""

import copy

import pytest
import yaml
from django.urls import reverse

from solutions.models import Solution
from solutions.publiccode import export_publiccode, publiccode_yaml, validate_publiccode

pytestmark = pytest.mark.django_db


def file_url(slug):
    return reverse("api:solution-publiccode", kwargs={"slug": slug})


def metadata_url(slug):
    return reverse("api:solution-metadata", kwargs={"slug": slug})


IMPORT_URL = "/api/v1/solutions/import"


@pytest.fixture
def client_for(api_client):
    def make(user):
        if user is not None:
            api_client.force_authenticate(user)
        return api_client

    return make


def error_fields(response) -> set:
    return {error["field"] for error in response.json()["errors"]}


# --- The file ------------------------------------------------------------------------------------
def test_anyone_gets_the_file(api_client, solution):
    response = api_client.get(file_url(solution.slug))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    data = yaml.safe_load(response.content)
    assert data["name"] == "Subsidiesysteem"
    assert validate_publiccode(response.content) == []


def test_the_file_as_json_on_request(api_client, solution):
    response = api_client.get(file_url(solution.slug), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == yaml.safe_load(publiccode_yaml(solution))


def test_an_unknown_solution_has_no_file(api_client):
    response = api_client.get(file_url("bestaat-niet"))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


# --- Import --------------------------------------------------------------------------------------
@pytest.fixture
def text(solution):
    data = export_publiccode(solution)
    data["name"] = "Subsidieregeling"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_a_coordinator_imports_a_file_body(client_for, coordinator, zob, text):
    response = client_for(coordinator).post(
        f"{IMPORT_URL}?cooperative={zob.slug}", data=text, content_type="application/yaml"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Subsidieregeling"
    assert body["categories"] == ["grant-management"]
    assert response["ETag"] == '"1"'
    assert Solution.objects.get(slug=body["slug"]).cooperative == zob


def test_a_coordinator_imports_json(client_for, coordinator, zob, text):
    response = client_for(coordinator).post(
        IMPORT_URL, {"cooperative": zob.slug, "text": text}, format="json"
    )
    assert response.status_code == 201, response.content


def test_the_only_cooperative_one_coordinates_is_the_default(client_for, coordinator, text):
    response = client_for(coordinator).post(IMPORT_URL, {"text": text}, format="json")
    assert response.status_code == 201, response.content


def test_an_upload_is_read_too(client_for, coordinator, zob, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("publiccode.yml", text.encode(), content_type="application/yaml")
    response = client_for(coordinator).post(
        IMPORT_URL, {"cooperative": zob.slug, "file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.content


def test_an_import_with_problems_answers_every_key_path_and_writes_nothing(
    client_for, coordinator, zob, solution
):
    data = copy.deepcopy(export_publiccode(solution))
    del data["name"]
    data["developmentStatus"] = "af"
    data["description"]["nl"]["shortDescription"] = "x" * 151
    data["legal"]["license"] = "Foo-1.0"
    data["maintenance"] = {"type": "contract"}
    before = Solution.objects.count()
    response = client_for(coordinator).post(
        f"{IMPORT_URL}?cooperative={zob.slug}",
        data=yaml.safe_dump(data),
        content_type="text/plain",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_publiccode"
    assert error_fields(response) >= {
        "name",
        "developmentStatus",
        "description.nl.shortDescription",
        "legal.license",
        "maintenance.contractors",
    }
    assert Solution.objects.count() == before


def test_not_yaml_is_one_problem_for_the_whole_file(client_for, coordinator, zob):
    response = client_for(coordinator).post(
        f"{IMPORT_URL}?cooperative={zob.slug}", data="name: [", content_type="application/yaml"
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(None, "invalid_yaml")]


def test_bad_import_requests_name_the_input(client_for, coordinator, zob, text):
    client = client_for(coordinator)
    response = client.post(IMPORT_URL, {"cooperative": "geen", "text": text}, format="json")
    assert (response.status_code, error_fields(response)) == (400, {"cooperative"})
    response = client.post(IMPORT_URL, {"cooperative": zob.slug}, format="json")
    assert (response.status_code, error_fields(response)) == (400, {"text"})
    response = client.post(IMPORT_URL, {"solution": "geen", "text": text}, format="json")
    assert (response.status_code, error_fields(response)) == (400, {"solution"})


@pytest.mark.parametrize(
    "who, status",
    [
        (None, 401),
        ("outsider_person", 403),
        ("member_person", 403),
        ("developer", 403),
        ("other_coordinator", 403),
        ("coordinator", 201),
    ],
)
def test_who_may_import_into_a_cooperative(request, client_for, zob, text, who, status):
    user = request.getfixturevalue(who) if who else None
    before = Solution.objects.count()
    response = client_for(user).post(
        f"{IMPORT_URL}?cooperative={zob.slug}", data=text, content_type="application/yaml"
    )
    assert response.status_code == status
    assert Solution.objects.count() == before + (1 if status == 201 else 0)


def test_a_non_coordinator_learns_nothing_from_the_files_problems(client_for, developer, zob):
    response = client_for(developer).post(
        f"{IMPORT_URL}?cooperative={zob.slug}", data="name: [", content_type="application/yaml"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "who, status",
    [
        ("tester", 403),
        ("other_coordinator", 403),
        ("product_owner", 200),
        ("coordinator", 200),
    ],
)
def test_who_may_update_a_solution_from_a_file(request, client_for, solution, text, who, status):
    user = request.getfixturevalue(who)
    response = client_for(user).post(
        f"{IMPORT_URL}?solution={solution.slug}", data=text, content_type="application/yaml"
    )
    assert response.status_code == status
    expected = "Subsidieregeling" if status == 200 else "Subsidiesysteem"
    assert Solution.objects.get(pk=solution.pk).name == expected


# --- Metadata ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "who, status",
    [
        (None, 401),
        ("outsider_person", 403),
        ("developer", 403),
        ("tester", 403),
        ("other_coordinator", 403),
        ("product_owner", 200),
        ("coordinator", 200),
    ],
)
def test_who_may_read_and_change_the_metadata(request, client_for, solution, who, status):
    user = request.getfixturevalue(who) if who else None
    client = client_for(user)
    response = client.get(metadata_url(solution.slug))
    assert response.status_code == status
    response = client.patch(
        metadata_url(solution.slug), {"name": "Anders"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == status
    expected = "Anders" if status == 200 else "Subsidiesysteem"
    assert Solution.objects.get(pk=solution.pk).name == expected


def test_the_metadata_as_read(client_for, coordinator, solution):
    response = client_for(coordinator).get(metadata_url(solution.slug))
    body = response.json()
    assert response["ETag"] == '"1"'
    assert body["version"] == 1
    assert body["categories"] == ["grant-management"]
    assert body["developed_by_name"] == "Eindhoven"
    assert body["maintenance_contacts"] == [{"name": "Beheer", "email": "beheer@example.org"}]
    assert body["estimated_cost"] == "250000.00"


def test_an_unknown_solution_has_no_metadata(client_for, coordinator):
    assert client_for(coordinator).get(metadata_url("bestaat-niet")).status_code == 404


def test_a_patch_changes_the_metadata(client_for, coordinator, solution):
    response = client_for(coordinator).patch(
        metadata_url(solution.slug),
        {
            "maintenance_type": "contract",
            "maintenance_contractors": [{"name": "Gemboxx", "until": "2027-12-31"}],
            "categories": ["grant-management", "payment-gateway"],
        },
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["maintenance_until"]) == (2, "2027-12-31")
    assert body["categories"] == ["grant-management", "payment-gateway"]
    assert response["ETag"] == '"2"'


def test_the_version_read_is_the_if_match_header(client_for, coordinator, solution):
    client = client_for(coordinator)
    response = client.patch(
        metadata_url(solution.slug), {"name": "Anders"}, format="json", HTTP_IF_MATCH='W/"1"'
    )
    assert response.status_code == 200
    response = client.patch(metadata_url(solution.slug), {"name": "Weer anders"}, format="json")
    assert (response.status_code, error_fields(response)) == (400, {"If-Match"})
    response = client.patch(
        metadata_url(solution.slug), {"name": "Weer anders"}, format="json", HTTP_IF_MATCH="x"
    )
    assert (response.status_code, error_fields(response)) == (400, {"If-Match"})
    assert Solution.objects.get(pk=solution.pk).name == "Anders"


def test_a_stale_version_answers_412_with_the_solution_as_it_is(client_for, coordinator, solution):
    client = client_for(coordinator)
    client.patch(metadata_url(solution.slug), {"name": "Eerst"}, HTTP_IF_MATCH='"1"')
    response = client.patch(metadata_url(solution.slug), {"name": "Daarna"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "stale"
    assert body["current"]["name"] == "Eerst"
    assert response["ETag"] == '"2"'
    assert Solution.objects.get(pk=solution.pk).name == "Eerst"


def test_bad_metadata_answers_every_field(client_for, coordinator, solution):
    response = client_for(coordinator).patch(
        metadata_url(solution.slug),
        {
            "short_description_en": "x" * 151,
            "licence": "Foo-1.0",
            "maintenance_type": "contract",
            "maintenance_contractors": [{"name": "Gemboxx", "until": "eind 2027"}],
            "categories": ["subsidies"],
        },
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert error_fields(response) == {
        "short_description_en",
        "licence",
        "maintenance_contractors.0.until",
        "categories.0",
    }
    assert Solution.objects.get(pk=solution.pk).version == 1


def test_a_put_needs_every_field(client_for, coordinator, solution):
    client = client_for(coordinator)
    response = client.put(metadata_url(solution.slug), {"name": "X"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert "licence" in error_fields(response)
    full = client.get(metadata_url(solution.slug)).json()
    for read_only in ("slug", "developed_by_name", "maintenance_until", "updated_at"):
        full.pop(read_only)
    full["name"] = "Helemaal nieuw"
    response = client.put(metadata_url(solution.slug), full, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Helemaal nieuw"


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null"])
def test_an_import_body_that_is_not_an_object_is_refused_clearly(body, other_coordinator, dimpact):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(other_coordinator)
    response = client.post(
        "/api/v1/solutions/import?cooperative=dimpact", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "text"


@pytest.mark.django_db
def test_an_incomplete_solution_exports_no_file_but_says_what_is_missing(solution, client):
    Solution.objects.filter(pk=solution.pk).update(repository_url="")
    response = client.get(f"/api/v1/solutions/{solution.slug}/publiccode.yml")
    assert response.status_code == 409
    # One name per field: the metadata API's, with publiccode.yml's key in the message.
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert "url" not in errors
    assert "(publiccode.yml: url)" in errors["repository_url"]
    page = client.get(f"/solutions/{solution.slug}/publiccode.yml")
    assert page.status_code == 409
    assert b'data-path="url" data-field="repository_url"' in page.content

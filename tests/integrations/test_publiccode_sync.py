"""publiccode.yml from the repository: each sync reads it at the head of the default branch,
validates it, offers its values and lists its problems by key path; those who may edit the
product's solution apply it (service, API, page)."""

import json

import pytest
from rest_framework.test import APIClient

from cooperative.models import AuditRecord
from deelbaar.errors import DomainError, NotAllowed
from integrations.models import Repository, SyncState
from integrations.services import publiccode as publiccode_services
from solutions.models import Solution
from solutions.publiccode import MAX_BYTES
from tests.integrations import gitrepos
from tests.integrations.gitrepos import as_, page_url
from tests.solutions.factories import make_solution

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("git_settings")]

LONG_NL = (
    "Bezwaar en beroep volgt elk bezwaarschrift van ontvangst tot besluit. Gemeenten bouwen het "
    "samen, in sprints van twee weken, en testen en accepteren het met hun eigen medewerkers."
)
LONG_EN = (
    "Objections follows every objection from receipt to decision. Municipalities build it "
    "together, in sprints of two weeks, and their own staff test and accept every increment."
)

VALID = f"""\
publiccodeYmlVersion: "0.4"
name: Bezwaar uit git
url: https://git.example.org/deelbaar/bezwaar.git
landingURL: https://bezwaar.example.org
platforms:
  - web
categories:
  - document-management
  - workflow-management
developmentStatus: beta
softwareType: standalone/web
description:
  nl:
    shortDescription: Bezwaarschriften behandelen van ontvangst tot besluit.
    longDescription: >-
      {LONG_NL}
    features:
      - Bezwaren registreren
    documentation: https://docs.example.org/bezwaar
  en:
    shortDescription: Handle objections from receipt to decision.
    longDescription: >-
      {LONG_EN}
    features:
      - Register objections
legal:
  license: EUPL-1.2
  mainCopyrightOwner: Gemboxx
maintenance:
  type: contract
  contractors:
    - name: Gemboxx
      until: "2027-12-31"
      email: support@gemboxx.example
localisation:
  localisationReady: true
  availableLanguages:
    - nl
    - en
"""

# Three faults at known key paths.
INVALID = (
    VALID.replace("license: EUPL-1.2", "license: Foo-1.0")
    .replace("developmentStatus: beta", "developmentStatus: almost")
    .replace('until: "2027-12-31"', 'until: "31-12-2027"')
)
INVALID_PATHS = {"legal.license", "developmentStatus", "maintenance.contractors[0].until"}


def put(work, name, text, message="Update publiccode.yml"):
    target = work.path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    work.repo.index.add([str(target)])
    return work.repo.index.commit(message).hexsha


def remove(work, name):
    work.repo.index.remove([str(work.path / name)], working_tree=True)
    return work.repo.index.commit(f"Remove {name}").hexsha


@pytest.fixture
def linked(work, link):
    return lambda: link(work.path)


def sync(repository) -> Repository:
    assert gitrepos.sync(repository) == SyncState.SYNCED
    return repository


def paths(repository) -> set:
    return {p["path"] for p in repository.publiccode_problems}


# --- Reading at each sync ---------------------------------------------------------------------
def test_a_valid_file_is_read_at_the_head_and_its_values_offered(work, linked):
    work.commit("Start")
    head = put(work, "publiccode.yml", VALID)
    repository = sync(linked())

    assert repository.publiccode_sha == head
    assert repository.publiccode_text == VALID
    assert repository.publiccode_problems == []
    fields = repository.publiccode_fields
    assert fields["name"] == "Bezwaar uit git"
    assert fields["licence"] == "EUPL-1.2"
    assert fields["categories"] == ["document-management", "workflow-management"]
    assert fields["short_description_en"] == "Handle objections from receipt to decision."
    assert fields["maintenance_type"] == "contract"
    # Dates are kept as ISO strings: the stored values are plain JSON.
    assert fields["maintenance_until"] == "2027-12-31"
    assert json.loads(json.dumps(fields)) == fields


def test_the_yaml_spelling_is_accepted_too(work, linked):
    head = put(work, "publiccode.yaml", VALID)
    repository = sync(linked())
    assert repository.publiccode_sha == head
    assert repository.publiccode_fields["name"] == "Bezwaar uit git"


def test_every_problem_is_listed_with_its_key_path_in_both_languages(work, linked):
    put(work, "publiccode.yml", INVALID)
    repository = sync(linked())

    assert repository.state == SyncState.SYNCED
    assert paths(repository) >= INVALID_PATHS
    assert repository.publiccode_fields == {}
    for problem in repository.publiccode_problems:
        assert problem["messages"]["en"] and problem["messages"]["nl"]
    summary = publiccode_services.publiccode_summary(repository, "en")
    assert summary["found"] is True
    license_problem = next(p for p in summary["problems"] if p["path"] == "legal.license")
    assert "Foo-1.0" in license_problem["message"]


def test_no_file_means_nothing_offered(work, linked):
    work.commit("Start")
    repository = sync(linked())
    assert repository.publiccode_sha == ""
    assert repository.publiccode_text == ""
    assert repository.publiccode_fields == {}
    assert repository.publiccode_problems == []


def test_a_file_too_large_is_a_problem_not_a_failed_sync(work, linked):
    put(work, "publiccode.yml", "# " + "x" * (MAX_BYTES + 10) + "\n" + VALID)
    repository = sync(linked())
    assert repository.state == SyncState.SYNCED
    assert repository.publiccode_text == ""
    assert [(p["path"], p["code"]) for p in repository.publiccode_problems] == [("", "too_large")]


def test_a_file_that_is_not_utf8_is_a_problem(work, linked):
    put(work, "publiccode.yml", b"name: \xff\xfe\n")
    repository = sync(linked())
    assert repository.state == SyncState.SYNCED
    assert [p["code"] for p in repository.publiccode_problems] == ["unreadable"]


def test_a_file_removed_later_is_cleared_and_a_fixed_one_revalidated(work, linked):
    put(work, "publiccode.yml", INVALID)
    repository = sync(linked())
    assert repository.publiccode_problems

    fixed = put(work, "publiccode.yml", VALID, "Fix publiccode.yml")
    repository = sync(repository)
    assert repository.publiccode_sha == fixed
    assert repository.publiccode_problems == []

    remove(work, "publiccode.yml")
    repository = sync(repository)
    assert repository.publiccode_sha == ""
    assert repository.publiccode_text == ""
    assert repository.publiccode_fields == {}
    assert repository.publiccode_problems == []


def test_a_folder_of_that_name_is_no_file(work, linked):
    put(work, "publiccode.yml/readme.txt", "not the file")
    repository = sync(linked())
    assert repository.publiccode_sha == ""


# --- Applying: the service --------------------------------------------------------------------
@pytest.fixture
def valid_repository(work, linked):
    put(work, "publiccode.yml", VALID)
    return sync(linked())


@pytest.fixture
def invalid_repository(work, linked):
    put(work, "publiccode.yml", INVALID)
    return sync(linked())


def test_the_product_owner_applies_the_file_to_the_solution(
    valid_repository, solution, product_owner
):
    version = solution.version
    updated = publiccode_services.apply_publiccode(actor=product_owner, repository=valid_repository)
    solution.refresh_from_db()
    assert updated.pk == solution.pk
    assert solution.name == "Bezwaar uit git"
    assert solution.licence == "EUPL-1.2"
    assert solution.development_status == "beta"
    assert solution.version == version + 1
    assert sorted(solution.categories.values_list("category", flat=True)) == [
        "document-management",
        "workflow-management",
    ]
    assert AuditRecord.objects.filter(action="solution.imported").count() == 1


def test_a_developer_may_not_apply(valid_repository, solution, developer):
    with pytest.raises(NotAllowed):
        publiccode_services.apply_publiccode(actor=developer, repository=valid_repository)


def test_without_a_solution_the_refusal_says_so(valid_repository, product_owner):
    assert not Solution.objects.exists()
    with pytest.raises(DomainError) as refused:
        publiccode_services.apply_publiccode(actor=product_owner, repository=valid_repository)
    assert refused.value.code == "no_solution"
    assert "no solution in the library" in str(refused.value.message)


def test_an_invalid_file_is_refused_with_its_problems_and_nothing_changes(
    invalid_repository, solution, product_owner
):
    name, version = solution.name, solution.version
    with pytest.raises(DomainError) as refused:
        publiccode_services.apply_publiccode(actor=product_owner, repository=invalid_repository)
    assert {field for field, _code, _message in refused.value.errors} >= INVALID_PATHS
    solution.refresh_from_db()
    assert (solution.name, solution.version) == (name, version)


# --- The API ----------------------------------------------------------------------------------
def apply_url(repository) -> str:
    return f"/api/v1/repositories/{repository.pk}/apply-publiccode/"


def test_the_api_shows_what_was_read(invalid_repository, product_owner):
    body = as_(product_owner).get(f"/api/v1/repositories/{invalid_repository.pk}/").json()
    publiccode = body["publiccode"]
    assert publiccode["found"] is True
    assert publiccode["sha"] == invalid_repository.publiccode_sha
    assert publiccode["fields"] == {}
    assert {p["path"] for p in publiccode["problems"]} >= INVALID_PATHS
    assert all(set(p) == {"path", "code", "message"} for p in publiccode["problems"])
    # In the reader's language.
    dutch = APIClient(HTTP_ACCEPT_LANGUAGE="nl")
    dutch.force_authenticate(product_owner)
    nl = dutch.get(f"/api/v1/repositories/{invalid_repository.pk}/").json()["publiccode"]
    stored = {p["path"]: p["messages"]["nl"] for p in invalid_repository.publiccode_problems}
    assert {p["path"]: p["message"] for p in nl["problems"]} == stored


def test_the_api_list_carries_publiccode(valid_repository, product_owner):
    body = as_(product_owner).get("/api/v1/repositories/").json()
    [entry] = body["results"] if isinstance(body, dict) else body
    assert entry["publiccode"]["fields"]["name"] == "Bezwaar uit git"


def test_the_api_applies_for_an_editor(valid_repository, solution, product_owner):
    response = as_(product_owner).post(apply_url(valid_repository))
    assert response.status_code == 200, response.json()
    solution.refresh_from_db()
    assert response.json() == {
        "id": solution.pk,
        "slug": solution.slug,
        "name": "Bezwaar uit git",
        "version": solution.version,
    }


def test_the_api_refuses_the_wrong_people(valid_repository, solution, developer, outsider_person):
    before = Solution.objects.get(pk=solution.pk).version
    assert as_(developer).post(apply_url(valid_repository)).status_code == 403
    assert as_(outsider_person).post(apply_url(valid_repository)).status_code == 404
    assert as_(None).post(apply_url(valid_repository)).status_code in (401, 403)
    assert Solution.objects.get(pk=solution.pk).version == before


def test_the_api_without_a_solution_says_so(valid_repository, product_owner):
    response = as_(product_owner).post(apply_url(valid_repository))
    assert response.status_code == 400
    assert response.json()["code"] == "no_solution"
    assert "no solution in the library" in response.json()["detail"]


def test_the_api_refuses_an_invalid_file_listing_its_problems(
    invalid_repository, solution, product_owner
):
    before = Solution.objects.get(pk=solution.pk).version
    response = as_(product_owner).post(apply_url(invalid_repository))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_publiccode"
    assert {e["field"] for e in body["errors"]} >= INVALID_PATHS
    assert Solution.objects.get(pk=solution.pk).version == before


def test_the_schema_documents_the_endpoint():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/repositories/{id}/apply-publiccode/"]["post"]
    assert "200" in operation["responses"]


# --- The page ---------------------------------------------------------------------------------
def browser(client, user):
    client.force_login(user)
    return client


def test_the_page_shows_the_values_and_the_button_for_an_editor(
    client, valid_repository, solution, product_owner
):
    response = browser(client, product_owner).get(
        page_url(valid_repository), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="publiccode-heading"' in html
    assert valid_repository.publiccode_sha[:10] in html
    assert "Bezwaar uit git" in html
    assert "EUPL-1.2" in html
    assert f"Use these values for {solution.name}" in html
    # The standard's codes in the library's words.
    assert "under contract" in html and "web application" in html
    dutch = browser(client, product_owner).get(
        page_url(valid_repository), HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert "onder contract" in dutch.content.decode().lower()


def test_the_page_lists_problems_and_offers_no_button(
    client, invalid_repository, solution, product_owner
):
    html = (
        browser(client, product_owner)
        .get(page_url(invalid_repository), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    for path in INVALID_PATHS:
        assert f"<code>{path}</code>" in html
    assert 'id="apply-publiccode"' not in html


def test_the_page_without_a_file_says_so(client, work, linked, product_owner):
    work.commit("Start")
    repository = sync(linked())
    html = (
        browser(client, product_owner)
        .get(page_url(repository), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "found no publiccode.yml" in html


def test_a_developer_sees_the_values_without_the_button(
    client, valid_repository, solution, developer
):
    html = (
        browser(client, developer)
        .get(page_url(valid_repository), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "Bezwaar uit git" in html
    assert 'id="apply-publiccode"' not in html


def test_the_page_applies_for_an_editor(client, valid_repository, solution, product_owner):
    response = browser(client, product_owner).post(
        page_url(valid_repository) + "publiccode/apply", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    solution.refresh_from_db()
    assert solution.name == "Bezwaar uit git"


def test_the_page_refuses_the_wrong_people(
    client, valid_repository, solution, developer, outsider_person
):
    url = page_url(valid_repository) + "publiccode/apply"
    assert browser(client, developer).post(url).status_code == 403
    assert browser(client, outsider_person).post(url).status_code == 404
    solution.refresh_from_db()
    assert solution.name == "Subsidiesysteem"


def test_the_page_refuses_an_invalid_file_listing_its_problems(
    client, invalid_repository, solution, product_owner
):
    response = browser(client, product_owner).post(
        page_url(invalid_repository) + "publiccode/apply", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="publiccode-error"' in html
    assert "<code>legal.license</code>" in html
    solution.refresh_from_db()
    assert solution.name == "Subsidiesysteem"


def test_the_page_without_a_solution_says_so(client, valid_repository, product_owner):
    response = browser(client, product_owner).post(
        page_url(valid_repository) + "publiccode/apply", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "no solution in the library" in response.content.decode()


def test_a_second_solution_of_the_product_is_not_the_one_applied(
    valid_repository, solution, product_owner, zob
):
    later = make_solution(cooperative=zob, name="Later", source_product=solution.source_product)
    publiccode_services.apply_publiccode(actor=product_owner, repository=valid_repository)
    later.refresh_from_db()
    assert later.name == "Later"


def test_an_unexpected_error_reading_the_file_does_not_fail_the_sync(work, linked, monkeypatch):
    put(work, "publiccode.yml", VALID)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("integrations.git.read_file", broken)
    repository = sync(linked())
    assert repository.state == SyncState.SYNCED
    assert repository.head_sha
    assert [p["code"] for p in repository.publiccode_problems] == ["unreadable"]


def test_an_error_of_the_validator_does_not_fail_the_sync(work, linked, monkeypatch):
    put(work, "publiccode.yml", VALID)

    def broken(text):
        raise RuntimeError("validator bug")

    monkeypatch.setattr(publiccode_services, "check_text", broken)
    repository = sync(linked())
    assert repository.head_sha
    assert [p["code"] for p in repository.publiccode_problems] == ["unchecked"]
    assert repository.publiccode_fields == {}

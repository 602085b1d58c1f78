"""The shared API base: authentication, one error shape, pagination, filtering, schema."""

import re

import pytest
from django.test import Client

from people.models import PersonalToken
from people.selectors.tokens import digest_of

pytestmark = pytest.mark.django_db
TEST_URLS = "tests.deelbaar.api_urls"


def test_anonymous_gets_401_in_the_error_shape(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert body["status"] == 401
    assert body["code"] == "not_authenticated"
    assert body["errors"] == [
        {"field": None, "code": "not_authenticated", "message": body["detail"]}
    ]


def test_token_is_issued_for_good_credentials_and_authenticates(api_client, user):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "marieke", "password": "a-Good-passw0rd"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert PersonalToken.objects.get(user=user).digest == digest_of(token)

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "marieke"
    assert me.json()["name"] == "Marieke de Vries"


def test_bad_token_is_refused(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get("/api/v1/me/").status_code == 401


def test_session_authentication_works_and_needs_csrf_for_writes(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/v1/me/").status_code == 200
    # A write on a session without the CSRF token is refused, so another site cannot
    # make a logged-in browser post to the API.
    response = client.post("/api/v1/organisations/", {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_validation_errors_name_each_field(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": ""})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    fields = {error["field"]: error["code"] for error in body["errors"]}
    assert fields == {"username": "blank", "password": "required"}


@pytest.mark.parametrize(
    "username, password",
    [("marieke", "no"), ("nobody", "a-Good-passw0rd"), ("inactive", "a-Good-passw0rd")],
)
def test_wrong_credentials_are_401_in_the_api_shape(api_client, user, username, password):
    if username == "inactive":
        user.is_active = False
        user.save()
        username = user.username
    response = api_client.post("/api/v1/auth/token/", {"username": username, "password": password})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert body["status"] == 401
    assert body["code"] == "authentication_failed"
    [error] = body["errors"]
    assert error["field"] is None
    assert error["code"] == "authentication_failed"
    assert "token" not in body


def test_the_schema_declares_401_and_400_for_signing_in(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    responses = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert {"200", "400", "401"} <= set(responses)
    assert responses["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


@pytest.mark.urls(TEST_URLS)
def test_nested_errors_get_dotted_field_names(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post(
        "/api/v1/test/nested/",
        {"title": "x", "criteria": [{"text": "ok"}, {"text": "far too long"}]},
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["criteria.1.text"]


@pytest.mark.urls(TEST_URLS)
def test_domain_conflict_answers_409_with_the_reason(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/test/transition/")
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {
            "field": "state",
            "code": "conflict",
            "message": "An approved membership cannot be approved again.",
        }
    ]


@pytest.mark.urls(TEST_URLS)
def test_model_validation_errors_become_400_with_fields(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/test/model-rule/")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "code"


@pytest.mark.urls(TEST_URLS)
def test_unknown_api_url_answers_json_404(api_client):
    response = api_client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.urls(TEST_URLS)
def test_server_error_on_the_api_is_json_and_hides_details(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.get("/api/v1/test/crash/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "boom" not in response.content.decode()


@pytest.mark.urls(TEST_URLS)
def test_pagination_and_filtering(api_client, make_user, user):
    for number in range(30):
        make_user(f"person{number:02}", is_staff=number % 3 == 0)
    api_client.force_authenticate(user)

    first = api_client.get("/api/v1/test/people/").json()
    assert first["count"] == 31
    assert len(first["results"]) == 25
    assert first["next"].endswith("page=2")

    everyone = sorted(["marieke"] + [f"person{n:02}" for n in range(30)])
    small = api_client.get("/api/v1/test/people/?page_size=5&page=2").json()
    assert [p["username"] for p in small["results"]] == everyone[5:10]

    staff = api_client.get("/api/v1/test/people/?is_staff=true&page_size=100").json()
    assert staff["count"] == 10
    assert all(p["is_staff"] for p in staff["results"])

    newest = api_client.get("/api/v1/test/people/?ordering=-username").json()
    assert newest["results"][0]["username"] == "person29"


@pytest.mark.urls(TEST_URLS)
def test_bad_filter_and_page_get_clear_errors(api_client, user):
    api_client.force_authenticate(user)
    bad_filter = api_client.get("/api/v1/test/people/?id=abc")
    assert bad_filter.status_code == 400
    assert bad_filter.json()["errors"][0]["field"] == "id"
    assert api_client.get("/api/v1/test/people/?page=99").status_code == 404


@pytest.mark.urls(TEST_URLS)
def test_list_query_count_does_not_grow_with_the_data(
    api_client, make_user, user, django_assert_max_num_queries
):
    api_client.force_authenticate(user)
    for size in (5, 50):
        for number in range(size):
            make_user(f"bulk{size}-{number}")
        with django_assert_max_num_queries(3):
            assert api_client.get("/api/v1/test/people/?page_size=100").status_code == 200


def test_schema_is_openapi_3_and_documents_the_api(api_client):
    response = api_client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_schema_is_generated_once_per_language(api_client, monkeypatch):
    from drf_spectacular.generators import SchemaGenerator

    from deelbaar.api.schema import SchemaView

    monkeypatch.setattr(SchemaView, "_generated", {})
    generated = []
    real = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        generated.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    english = [
        api_client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
        for _ in range(3)
    ]
    dutch = api_client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="nl").json()
    yaml = api_client.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE="nl")
    assert len(generated) == 2  # English once, Dutch once; the YAML is rendered from the same
    assert english[0] == english[2]
    assert english[0]["paths"].keys() == dutch["paths"].keys()
    assert english[0] != dutch  # descriptions are translated
    assert yaml.status_code == 200 and yaml.content.startswith(b"openapi:")


def test_docs_are_served_offline_from_the_sidecar(api_client):
    response = api_client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


def test_the_schema_states_that_money_is_never_negative(api_client):
    # Each of these is refused below zero (min_value); a decimal travels as a string, so the
    # pattern carries the bound: generated clients and Schemathesis send no negative amount.
    schemas = api_client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    for component, field in [
        ("PaymentRequest", "amount"),
        ("PatchedContributionPolicyRequest", "contribution_amount"),
        ("PatchedContributionPolicyRequest", "contribution_minimum"),
        ("MetadataInputRequest", "estimated_cost"),
    ]:
        pattern = schemas[component]["properties"][field]["pattern"]
        assert re.match(pattern, "12.50"), (component, field)
        assert not re.match(pattern, "-1"), (component, field)
    # A decimal that may be negative keeps its minus sign.
    assert schemas["Velocity"]["properties"]["average_velocity"]["pattern"].startswith("^-?")

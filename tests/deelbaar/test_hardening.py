"""Hostile input answered as 400 (never 500), and every API error in the API's one shape.

Each test here reproduces a finding of issues 10 and 17 that answered 500 or an HTML page."""

import json
import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
TEST_URLS = "tests.deelbaar.api_urls"


def assert_api_error(response, status, code, field=None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    if field is not None:
        assert field in [error["field"] for error in body["errors"]]
    return body


# --- Server errors: the JSON shape with DEBUG on or off, and logged -------------------------
@pytest.mark.urls(TEST_URLS)
@pytest.mark.parametrize("debug", [True, False])
def test_a_server_error_on_the_api_is_json_and_logged_with_debug_on_or_off(
    settings, user, debug, caplog
):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    client.force_login(user)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/test/crash/")
    assert_api_error(response, 500, "server_error")
    assert "boom" not in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info[1].args == ("boom",)


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_api_address_is_json_with_debug_on_or_off(settings, debug):
    settings.DEBUG = debug
    assert_api_error(Client().get("/api/v1/no-such-thing/"), 404, "not_found")


@pytest.mark.urls(TEST_URLS)
@pytest.mark.parametrize("debug", [True, False])
def test_client_errors_of_plain_django_views_on_the_api_stay_client_errors(settings, debug):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    assert_api_error(client.get("/api/v1/test/plain-404/"), 404, "not_found")
    assert_api_error(client.get("/api/v1/test/plain-403/"), 403, "permission_denied")


def test_the_browsable_api_sign_in_page_answers():
    # It reversed "rest_framework:login" inside the "api" namespace: a 500 on every request.
    assert Client().get("/api/v1/auth/login/").status_code == 200


def test_drf_answers_are_left_as_drf_renders_them():
    response = Client().get("/api/v1/me/", HTTP_ACCEPT="application/json")
    assert_api_error(response, 401, "not_authenticated")


# --- Characters the database cannot store ---------------------------------------------------
@pytest.mark.parametrize(
    "query, field",
    [("q=a%00b", "q"), ("cooperative=%00", "cooperative"), ("sort=%00&page=1", "sort")],
)
def test_nul_in_a_query_parameter_is_400_naming_it(query, field):
    response = Client().get(f"/api/v1/solutions/?{query}")
    body = assert_api_error(response, 400, "invalid", field)
    assert "NUL" in body["detail"]


def test_nul_in_the_path_is_400():
    assert_api_error(Client().get("/api/v1/solutions/a%00b/"), 400, "invalid", "path")


@pytest.mark.parametrize(
    "address",
    [
        "/solutions/?q=a%00b",
        "/solutions/?cooperative=%00",
        "/solutions/import/?solution=%00",
        "/?cooperative=%00",
    ],
)
def test_nul_on_a_page_is_a_plain_400_page(address, logged_in_client):
    response = logged_in_client.get(address)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "NUL" in response.content.decode()


def test_nul_in_a_form_body_is_a_400_page():
    response = Client().post("/accounts/login/", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert "username" in response.content.decode()


# --- A multipart body without a boundary ----------------------------------------------------
def _without_boundary(address):
    return Client(raise_request_exception=False).post(
        address, b"garbage", content_type="multipart/form-data"
    )


@pytest.mark.parametrize("address", ["/api/v1/auth/token/", "/api/v1/solutions/"])
def test_a_multipart_body_without_a_boundary_is_400_in_the_api_shape(address, caplog):
    with caplog.at_level(logging.INFO):
        response = _without_boundary(address)
    body = assert_api_error(response, 400, "parse_error")
    assert "boundary" in body["detail"]
    assert "Content-Security-Policy" in response
    assert not [record for record in caplog.records if record.exc_info]


def test_a_multipart_body_without_a_boundary_on_a_page_is_a_plain_400_page(caplog):
    with caplog.at_level(logging.INFO):
        response = _without_boundary("/accounts/login/")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "boundary" in response.content.decode()
    assert "Content-Security-Policy" in response
    assert not [record for record in caplog.records if record.exc_info]


# --- Bodies over the limits ------------------------------------------------------------------
def test_a_body_over_the_limit_is_413_in_the_api_shape(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "x" * 2000, "password": "y"})
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert_api_error(response, 413, "too_large")


def test_too_many_form_fields_on_the_api_is_400_in_the_api_shape(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{n}=1" for n in range(20))
    response = Client().post(
        "/api/v1/auth/token/", body, content_type="application/x-www-form-urlencoded"
    )
    assert_api_error(response, 400, "bad_request")


# --- JSON bodies: nesting, unstorable text, integers beyond 64 bits -------------------------
@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_400_on_the_anonymous_token_endpoint(depth):
    body = "[" * depth + "]" * depth
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    body = assert_api_error(response, 400, "parse_error")
    assert "32" in body["detail"]


def test_json_nested_within_the_limit_is_parsed():
    body = json.dumps({"username": [[["deep"]]], "password": "x"})
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert_api_error(response, 400, "invalid", "username")  # a list is no username


@pytest.mark.parametrize(
    "value, code", [("a\x00b", "unstorable"), ("\ud800", "unstorable"), (2**64, "out_of_range")]
)
def test_unstorable_text_and_huge_integers_in_json_are_400_naming_the_field(value, code):
    body = json.dumps({"password": "x", "username": value})
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    body = assert_api_error(response, 400, "invalid", "username")
    assert [error["code"] for error in body["errors"]] == [code]


def test_nested_fields_are_named_by_their_path():
    body = json.dumps({"username": "x", "password": "y", "extra": [{"a": 1}, {"b": "\x00"}]})
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert_api_error(response, 400, "invalid", "extra.1.b")


def test_every_api_view_parses_json_within_the_limits():
    """A view that names its own parsers must take Deelbaar's JSON parser, not DRF's."""
    from django.urls import get_resolver
    from rest_framework import parsers

    from deelbaar.api.parsers import JSONParser

    def views(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern.url_patterns)
            else:
                yield getattr(pattern.callback, "cls", None)

    found = [cls for cls in views(get_resolver().url_patterns) if cls is not None]
    assert len(found) > 50
    for cls in found:
        for parser in getattr(cls, "parser_classes", []):
            assert parser is not parsers.JSONParser, f"{cls.__name__} uses DRF's JSONParser"
        for name in dir(cls):
            kwargs = getattr(getattr(cls, name, None), "kwargs", None)
            for parser in (kwargs or {}).get("parser_classes", []):
                assert parser is not parsers.JSONParser, f"{cls.__name__}.{name}"
    assert JSONParser in [p for cls in found for p in getattr(cls, "parser_classes", [])]


# --- Page numbers ----------------------------------------------------------------------------
@pytest.mark.parametrize("page", ["4621621276714805248", "0", "x", "²"])
def test_the_catalogue_refuses_a_page_beyond_the_bound_anonymously(page):
    response = Client().get("/api/v1/solutions/", {"page": page})
    assert_api_error(response, 400, "invalid", "page")


@pytest.mark.urls(TEST_URLS)
@pytest.mark.parametrize("page", ["0", "x", "last", "99999999999999999999"])
def test_every_list_refuses_a_page_that_is_no_number_from_one(api_client, user, page):
    api_client.force_authenticate(user)
    response = api_client.get("/api/v1/test/people/", {"page": page})
    assert_api_error(response, 400, "invalid", "page")


# --- Headers ---------------------------------------------------------------------------------
def test_pages_and_the_api_send_a_csp_without_inline_script_and_a_permissions_policy():
    for address in ["/", "/solutions/", "/api/v1/solutions/"]:
        response = Client().get(address)
        policy = dict(
            part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
        )
        assert policy["script-src"] == "'self'", address
        assert policy["style-src"] == "'self'", address
        assert policy["object-src"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]
        features = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in features, address


def test_no_template_holds_inline_script_or_event_handlers():
    """What the CSP would block: a <script> without src, on*="…" handlers, style="…".

    Mail bodies (templates under a `mail/` folder) are left out: they are never served as
    pages, so no CSP applies, and mail programs honour inline styles only."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=", re.I)
    offenders = [
        f"{path.relative_to(root)}: {match.group()}"
        for folder in ("platform", "sprints", "solutions", "integrations")
        for path in (root / folder).rglob("templates/**/*.html")
        if "mail" not in path.relative_to(root).parts
        for match in inline.finditer(path.read_text())
    ]
    assert not offenders


def test_uvicorn_sends_no_server_header_in_compose():
    from pathlib import Path

    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    assert "--no-server-header" in compose


def test_the_demo_server_sends_no_server_header_and_the_security_headers():
    """The demo's uvicorn, really started, on a port of this test's own."""
    import socket
    import threading
    import time
    import urllib.error
    import urllib.request

    import uvicorn

    from deelbaar.management.commands.demo import server_options

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(**server_options("127.0.0.1", port)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        # An unknown API address: answered without touching the database.
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/no-such-thing/", timeout=10)
        assert refused.value.code == 404
        headers = refused.value.headers
        assert "server" not in {name.lower() for name in headers}
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "camera=()" in headers["Permissions-Policy"]
    finally:
        server.should_exit = True
        thread.join(10)


def test_a_refused_form_gets_the_platforms_own_page_in_dutch(client, django_user_model):
    """A form sent with a stale or missing CSRF token: a page in the platform's layout and
    language, not Django's English developer page (whose inline style the CSP blocks)."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="nl")
    response = strict.post("/accounts/login/", {"username": "x", "password": "y"})
    html = response.content.decode()
    assert response.status_code == 403
    assert 'id="form-expired"' in html
    assert "Dit formulier kon niet worden verstuurd" in html
    assert "<style" not in html

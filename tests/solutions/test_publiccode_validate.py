"""Checking a file without importing it: `deelbaar publiccode validate FILE...` (reference-style
lines, exit status) and `POST /api/v1/publiccode/validate/` (anyone, within the size limit)."""

import copy
import http.server
import os
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from solutions.publiccode import MAX_BYTES, dump_publiccode
from tests.conftest import clear_cache
from tests.solutions.test_publiccode_reference import BASE

URL = "/api/v1/publiccode/validate/"
REPOSITORY = Path(__file__).resolve().parents[2]


def write(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_text(dump_publiccode(data) if isinstance(data, dict) else data, encoding="utf-8")
    return str(path)


def invalid():
    data = copy.deepcopy(BASE)
    del data["name"]
    data["maintenance"]["contacts"] = [{"email": "nobody"}]
    return data


def old():
    return {**copy.deepcopy(BASE), "publiccodeYmlVersion": "0.4"}


def run(*args) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("publiccode", "validate", *args, "--language", "en", stdout=out, stderr=out)
    except CommandError as error:
        return out.getvalue() + str(error), error.returncode
    return out.getvalue(), 0


def test_a_valid_file_says_so_and_exits_0(tmp_path):
    output, status = run(write(tmp_path, "publiccode.yml", BASE))
    assert (output, status) == ("valid\n", 0)


def test_errors_are_reference_style_lines_and_exit_1(tmp_path):
    output, status = run(write(tmp_path, "publiccode.yml", invalid()))
    assert status == 1
    lines = output.splitlines()
    assert "name: name is required." in lines
    assert any(line.startswith("maintenance.contacts[0].name: ") for line in lines)
    assert any(line.startswith("maintenance.contacts[0].email: ") for line in lines)


def test_warnings_alone_exit_0(tmp_path):
    output, status = run(write(tmp_path, "publiccode.yml", old()))
    assert status == 0
    assert output.splitlines() == [
        "publiccodeYmlVersion: warning: Version 0.4 is not the latest; use 0.7.0.",
        "valid",
    ]


def test_several_files_are_named_and_an_unreadable_one_exits_2(tmp_path):
    good = write(tmp_path, "good.yml", BASE)
    bad = write(tmp_path, "bad.yml", invalid())
    output, status = run(good, bad)
    assert status == 1
    assert f"{good}: valid" in output
    assert f"{bad}: name: name is required." in output
    _output, status = run(good, str(tmp_path / "missing.yml"))
    assert status == 2


def test_the_real_command_exits_non_zero_on_errors(tmp_path):
    # As a municipality's CI runs it: the installed `deelbaar` script in its own process.
    deelbaar = Path(sys.executable).with_name("deelbaar")
    env = {**os.environ, "DEELBAAR_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [str(deelbaar), "publiccode", "validate", "--language", "en", "-"],
        input=dump_publiccode(invalid()).encode(),
        capture_output=True,
        env=env,
        cwd=REPOSITORY,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert b"name: name is required." in done.stdout


# --- The API ---------------------------------------------------------------------------------
def test_the_url():
    assert reverse("api:publiccode-validate") == URL


@pytest.mark.django_db
def test_anyone_may_check_a_file_as_json(api_client):
    response = api_client.post(URL, {"text": dump_publiccode(BASE)}, format="json")
    assert response.status_code == 200
    assert response.json() == {"valid": True, "errors": [], "warnings": []}


@pytest.mark.django_db
def test_a_file_with_errors_and_warnings_is_a_200_with_its_verdict(api_client):
    data = invalid()
    data["publiccodeYmlVersion"] = "0.4"
    response = api_client.post(URL, dump_publiccode(data), content_type="application/yaml")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert {e["path"] for e in body["errors"]} == {
        "name",
        "maintenance.contacts[0].name",
        "maintenance.contacts[0].email",
    }
    assert [w["path"] for w in body["warnings"]] == ["publiccodeYmlVersion"]


@pytest.mark.django_db
def test_skipped_network_checks_are_listed_on_request(api_client):
    response = api_client.post(
        f"{URL}?skipped=true", dump_publiccode(BASE), content_type="application/yaml"
    )
    assert [(w["path"], w["code"]) for w in response.json()["warnings"]] == [("url", "not_checked")]


@pytest.mark.django_db
def test_a_file_over_the_limit_is_not_parsed(api_client):
    text = "name: " + "x" * MAX_BYTES + "\n"
    response = api_client.post(URL, text, content_type="text/plain")
    assert response.status_code == 200
    assert [(e["path"], e["code"]) for e in response.json()["errors"]] == [("", "too_large")]


@pytest.mark.django_db
def test_a_request_without_a_file_is_a_400_in_the_error_shape(api_client):
    response = api_client.post(URL, {"nothing": "here"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "text"
    response = api_client.post(URL, {"text": 5}, format="json")
    assert response.status_code == 400
    response = api_client.post(f"{URL}?skipped=null", {"text": "name: x"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "skipped"


@pytest.mark.django_db
def test_anonymous_checks_are_limited_to_20_a_minute(api_client):
    clear_cache()
    statuses = [
        api_client.post(URL, "name: x\n", content_type="application/yaml").status_code
        for _ in range(21)
    ]
    assert statuses == [200] * 20 + [429]
    assert (
        api_client.post(URL, "name: x\n", content_type="application/yaml").json()["status"] == 429
    )
    clear_cache()


@pytest.mark.django_db
def test_only_post(api_client):
    assert api_client.get(URL).status_code == 405


# --- Online, on request only ---------------------------------------------------------------------
class _Site(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.send_response(200 if self.path == "/ok" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    """A real web server on a free port (the system picks it, so parallel workers never meet),
    answering /ok and nothing else."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_online_every_web_address_is_asked_whether_it_answers(tmp_path, site):
    data = copy.deepcopy(BASE)
    # Every address on the local server: the test goes nowhere else.
    data["url"] = f"{site}/ok"
    data["landingURL"] = f"{site}/ok"
    data["description"]["en"]["documentation"] = f"{site}/missing"
    path = write(tmp_path, "publiccode.yml", data)
    output, status = run(path)
    assert status == 0  # offline: not asked
    output, status = run(path, "--online")
    assert status == 1
    assert output.splitlines()[0] == f"description.en.documentation: {site}/missing answers 404."
    assert "landingURL" not in output
    assert "url:" not in output

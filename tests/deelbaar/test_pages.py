"""The page shell on the server side: vendored assets, landmarks, login and logout."""

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "platform" / "deelbaar" / "static" / "vendor"


def test_vendored_versions_match_the_lock():
    lock = json.loads((ROOT / "package-lock.json").read_text())
    recorded = dict(
        line.split()
        for line in (VENDOR / "VERSIONS.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(recorded) == {"@utrecht/component-library-css", "@utrecht/design-tokens", "htmx.org"}
    for package, version in recorded.items():
        assert lock["packages"][f"node_modules/{package}"]["version"] == version


@pytest.mark.parametrize(
    "path",
    [
        "vendor/utrecht/component-library.css",
        "vendor/utrecht/design-tokens.css",
        "vendor/htmx/htmx.min.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
    ],
)
def test_static_files_are_found_without_npm(path):
    assert finders.find(path), f"{path} is not among the static files"


@pytest.mark.django_db
def test_vendored_files_are_served(client):
    response = client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_home_has_the_shell(client):
    html = client.get("/").content.decode()
    for piece in (
        'class="utrecht-skip-link',
        'href="#main"',
        '<main id="main"',
        'aria-label="Hoofdnavigatie"',
        'name="language" value="en"',
        'href="/accounts/login/?next=/"',
        "vendor/htmx/htmx.min.js",
        'class="utrecht-theme',
    ):
        assert piece in html, piece


@pytest.mark.django_db
def test_login_logout_round_trip(client, user):
    response = client.post(
        "/accounts/login/", {"username": "marieke", "password": "a-Good-passw0rd"}
    )
    assert response.status_code == 302
    assert "Ingelogd als Marieke de Vries" in client.get("/").content.decode()
    # Logging out takes a POST, so a link on another site cannot log anyone out.
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "Inloggen" in client.get("/").content.decode()


@pytest.mark.django_db
def test_failed_login_names_the_problem(client, user):
    response = client.post("/accounts/login/", {"username": "marieke", "password": "wrong"})
    assert response.status_code == 200
    assert 'id="login-errors"' in response.content.decode()


@pytest.mark.django_db
def test_login_does_not_redirect_to_other_sites(client, user):
    response = client.post(
        "/accounts/login/",
        {"username": "marieke", "password": "a-Good-passw0rd", "next": "https://evil.example/"},
    )
    # Refused: to the person's own work instead (LOGIN_REDIRECT_URL).
    assert response["Location"] == "/my-work/"


@pytest.mark.django_db
def test_unknown_page_is_a_404(client):
    assert client.get("/no-such-page/").status_code == 404


@pytest.mark.django_db
def test_menu_marks_the_deepest_current_section_only(client, user):
    client.force_login(user)
    html = client.get("/products/inbox/").content.decode()
    assert html.count('aria-current="page"') == 1
    assert 'href="/products/inbox/" aria-current="page"' in html


@pytest.mark.django_db
def test_page_titles_name_the_page_then_the_site(client):
    # The separator never rendered: titles read "BibliotheekDeelbaar".
    import re

    html = client.get("/solutions/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.endswith(" — Deelbaar")
    assert title != " — Deelbaar"
    assert "Deelbaar — Deelbaar" not in title


def test_a_page_without_a_title_is_just_the_site_and_titles_stay_escaped():
    from django.template import Context, Template

    template = Template("{% load page_title %}{% filter with_site %}{{ t }}{% endfilter %}")
    assert template.render(Context({"t": ""})) == "Deelbaar"
    assert template.render(Context({"t": "A & B"})) == "A &amp; B — Deelbaar"

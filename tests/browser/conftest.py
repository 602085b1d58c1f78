"""The browser harness: the real ASGI app served by uvicorn, driven by Debian's Chromium.

Later page tests reuse `live_url`, `page` and `assert_accessible`.
"""

import os
import shutil
import socket
import threading
import time

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The WCAG 2.1 A and AA rules, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith("tests/browser/"):
            item.add_marker(pytest.mark.browser)


class LiveServer:
    """uvicorn serving deelbaar.asgi in a thread of the test process (HTTP and websockets)."""

    def __init__(self):
        import uvicorn

        from deelbaar.asgi import application

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            application, log_level="warning", lifespan="off", ws="websockets-sansio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def start(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)

    def wait_until_idle(self, timeout=10):
        """Wait until every request and websocket of the last test has been handled."""
        deadline = time.monotonic() + timeout
        while self.server.server_state.tasks and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture
def live_url(live_server_asgi, transactional_db):
    """The live server's base URL; data the test creates is committed, so the server sees it."""
    return live_server_asgi.url


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM, used by the tests
    # to set up data, refuses that unless told it is safe (it is: the test thread is alone).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run 'make browser-deps' (apt chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server_asgi, live_url):
    """A fresh browser context per test (no cookies shared), Dutch as the browser language.

    It depends on `live_url` so that it is closed before the test database is: the server
    answers the closing websockets by touching the database, which must still be there.
    """
    context = browser.new_context(locale="nl-NL")
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Anything the Content-Security-Policy blocked (an inline script or style, a foreign
    # source) is reported on the console; it fails the test, so no page relies on it.
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    live_server_asgi.wait_until_idle()
    assert not violations, f"the Content-Security-Policy blocked: {violations}"


@pytest.fixture(scope="session")
def axe():
    """axe-core, read once (its script is half a megabyte)."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core on the page and fail with a readable list of every violation."""

    def check(page):
        # Only the violations are read: the passes and inapplicable rules, with every node
        # they matched, made the answer many times larger, to be sent and validated each check.
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        results = axe.run(page, options=options)
        violations = results.response["violations"]
        report = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(",".join(node["target"]) for node in v["nodes"][:5])
            for v in violations
        )
        assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n{report}"

    return check


def login(page, live_url, username, password):
    """Log in through the real login form, and, for a person who must use a second factor
    (coordinators, administrators), through the code page with a fresh single-use code."""
    from django.contrib.auth import get_user_model

    from signin.selectors import second_factor_required
    from tests.second_factor import ensure_second_factor, one_time_code

    user = get_user_model().objects.filter(username=username).first()
    if user is not None and second_factor_required(user):
        ensure_second_factor(user)
    page.goto(f"{live_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # Wait for the answer's page itself: wait_for_load_state() alone may return while the
    # login page is still shown, and the code step would then be skipped.
    with page.expect_navigation():
        page.click("form.utrecht-form button[type=submit]")
    if "/accounts/two-factor/verify/" in page.url:
        page.fill("input[name=token]", one_time_code(user))
        with page.expect_navigation():
            page.click("#verify-form button[type=submit]")

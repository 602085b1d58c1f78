"""`deelbaar demo`: migrates, loads idempotently, prints the logins, and (here) does not serve."""

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

DEELBAAR = str(Path(sys.executable).parent / "deelbaar")


@pytest.mark.django_db
def test_demo_twice_duplicates_nothing_and_prints_logins(settings, monkeypatch):
    monkeypatch.delenv("DEELBAAR_BASE_URL", raising=False)
    out = StringIO()
    call_command("demo", no_serve=True, addr="127.0.0.1:18951", stdout=out)
    # Links in the demo's mails lead to where it serves, not to the default port.
    assert settings.DEELBAAR_BASE_URL == "http://127.0.0.1:18951"
    users = list(get_user_model().objects.order_by("username").values_list("username", flat=True))
    call_command("demo", no_serve=True, stdout=StringIO())
    assert (
        list(get_user_model().objects.order_by("username").values_list("username", flat=True))
        == users
    )
    assert {"admin", "coordinator"} <= set(users)
    printed = out.getvalue()
    assert "admin / deelbaar-admin" in printed
    assert "coordinator / deelbaar-demo" in printed


@pytest.mark.django_db
def test_demo_logins_work(client):
    call_command("demo", no_serve=True, stdout=StringIO())
    assert client.login(username="coordinator", password="deelbaar-demo")
    assert get_user_model().objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_demo_keeps_a_changed_password():
    """A second run must not reset what a person changed in the demo."""
    call_command("demo", no_serve=True, stdout=StringIO())
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("changed-it-myself")
    admin.save()
    call_command("demo", no_serve=True, stdout=StringIO())
    admin.refresh_from_db()
    assert admin.check_password("changed-it-myself")


@pytest.mark.parametrize("addr", ["8000", "localhost", "127.0.0.1:http", ":8000", "host:70000"])
def test_bad_addr_is_explained(addr):
    with pytest.raises(CommandError, match="HOST:PORT"):
        call_command("demo", addr=addr, no_serve=True)


def test_demo_on_a_fresh_data_folder_from_the_console_script(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DEELBAAR_DATA_DIR"] = str(tmp_path / "data")
    counts = []
    for _ in range(2):
        result = subprocess.run(
            [DEELBAAR, "demo", "--no-serve"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert "coordinator / deelbaar-demo" in result.stdout
        with sqlite3.connect(tmp_path / "data" / "deelbaar.sqlite3") as db:
            counts.append(db.execute("select count(*) from auth_user").fetchone()[0])
    # The apps' loaders add their own people; a second run adds none.
    assert counts[0] >= 2
    assert counts[1] == counts[0]


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_serves_pages_api_and_websockets(tmp_path):
    """`deelbaar demo` as a user runs it: a real server process, HTTP and websockets."""
    import asyncio
    import http.cookiejar
    import time
    import urllib.parse
    import urllib.request

    import websockets

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DEELBAAR_DATA_DIR"] = str(tmp_path / "data")
    server = subprocess.Popen(
        [DEELBAAR, "demo", "--addr", f"127.0.0.1:{port}"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the demo server did not come up"
                time.sleep(0.3)

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for path in ("/", "/api/v1/schema/", "/api/v1/docs/"):
            assert opener.open(base + path, timeout=10).status == 200
        opener.open(f"{base}/accounts/login/", timeout=10)
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        form = urllib.parse.urlencode(
            {"username": "coordinator", "password": "deelbaar-demo", "csrfmiddlewaretoken": csrf}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
        )
        opener.open(request, timeout=10)
        cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
        assert "sessionid=" in cookies

        async def ping():
            async with websockets.connect(
                f"ws://127.0.0.1:{port}/ws/notifications/",
                additional_headers={"Cookie": cookies},
                origin=base,
            ) as socket:
                await socket.send('{"type": "ping"}')
                return await asyncio.wait_for(socket.recv(), 10)

        assert asyncio.run(ping()) == '{"type": "pong"}'
    finally:
        server.terminate()
        server.wait(timeout=30)

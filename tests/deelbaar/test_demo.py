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
def test_demo_twice_duplicates_nothing_and_prints_logins():
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
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
        count = db.execute("select count(*) from auth_user").fetchone()[0]
    assert count == 2

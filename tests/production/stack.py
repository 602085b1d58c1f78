"""Deelbaar as docker-compose.yml runs it, as real processes on this machine: a database of its
own on the PostgreSQL server of DATABASE_URL, the Redis of REDIS_URL, uvicorn processes and one
`celery -A deelbaar worker --beat` process, with the commands of docker-compose.yml and a
production environment (DEBUG off). Used by the production tests and the load test.

The processes cannot see pytest-django's test database (it lives in the test's transaction or
is flushed between tests), so the stack makes `<DATABASE_URL's name>_production`, migrates it
and loads the demo into it with `deelbaar demo --no-serve`, and drops it when it stops. Tests
reach the stack over HTTP and websockets, and read the database with a plain connection.
"""

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
import requests

BIN = Path(sys.executable).parent
# Celery's default queue: the web processes send every job there, as in production.
QUEUE = "celery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, *, timeout: float, what: str, interval: float = 0.1, stack=None):
    """Poll `check()` until it returns something truthy (returned) or `timeout` passes."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = check()
        except (requests.RequestException, OSError, psycopg.Error) as error:
            value, last_error = None, error
        if value:
            return value
        time.sleep(interval)
    logs = f"\n{stack.log_tails()}" if stack is not None else ""
    raise AssertionError(f"{what}: not within {timeout:.0f} s (last error: {last_error}){logs}")


class Process:
    """One server or worker process in a session of its own, so that killing it kills its
    children too (as stopping a container does), with its output in a log file."""

    def __init__(self, name: str, command: list[str], *, env: dict, cwd: Path, log_dir: Path):
        self.name = name
        self.command = command
        self.env = env
        self.cwd = cwd
        self.log_path = log_dir / f"{name}.log"
        self.popen = None
        self.terminating = False

    def start(self):
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def kill(self):
        """SIGKILL to the process and its children: no shutdown, no acknowledgement."""
        self.signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def terminate(self):
        """Ask it to stop (once: a second signal makes Celery skip its warm shutdown)."""
        if not self.terminating:
            self.terminating = True
            self.signal(signal.SIGTERM)

    def stop(self, timeout: float = 15):
        if self.popen is None or self.popen.poll() is not None:
            return
        self.terminate()
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])


class Stack:
    """The database, the web processes and the worker; `start()`, then `stop()` always."""

    def __init__(
        self,
        workdir: Path,
        *,
        webs: int = 2,
        suffix: str = "_production",
        extra_env: dict | None = None,
    ):
        database_url = os.environ.get("DATABASE_URL", "")
        self.redis_url = os.environ.get("REDIS_URL", "")
        if not database_url.startswith("postgres") or not self.redis_url:
            raise RuntimeError("the production stack needs DATABASE_URL (PostgreSQL) and REDIS_URL")
        parts = urlsplit(database_url)
        self.db_name = parts.path.lstrip("/") + suffix
        self.database_url = urlunsplit(parts._replace(path="/" + self.db_name))
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.log_dir = workdir / "logs"
        for folder in (self.data_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "DEELBAAR_DATA_DIR": str(self.data_dir),
            "STATIC_ROOT": str(workdir / "static"),
            # A prefix of its own: other tests on the same Redis never see these groups.
            "CHANNELS_PREFIX": f"production-{uuid.uuid4().hex[:8]}",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.ports = [free_port() for _ in range(webs)]
        self.webs = [
            Process(
                f"web{n}",
                # docker-compose.yml's web command (after its migrate), on the loopback.
                [
                    str(BIN / "uvicorn"),
                    "deelbaar.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--proxy-headers",
                    "--forwarded-allow-ips=*",
                    "--no-server-header",
                ],
                env=self.env,
                cwd=workdir,
                log_dir=self.log_dir,
            )
            for n, port in enumerate(self.ports)
        ]
        self.worker = None
        self.worker_starts = 0

    # --- Lifecycle ---------------------------------------------------------------------------
    def start(self, *, demo: bool = True):
        self._drop_database()
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.purge_queue()
        self.collectstatic()
        # docker-compose.yml's `deelbaar migrate --noinput`; the demo migrates first too.
        if demo:
            self.manage("demo", "--no-serve")
        else:
            self.manage("migrate", "--noinput")
        for web in self.webs:
            web.start()
        self.start_worker()
        for n, _web in enumerate(self.webs):
            wait_until(
                lambda n=n: requests.get(self.url(n, "/healthz"), timeout=5).status_code,
                timeout=60,
                what=f"web{n} answering",
                interval=0.2,
                stack=self,
            )
        self.wait_for_worker()
        return self

    def stop(self):
        running = [p for p in [*self.webs, self.worker] if p is not None and p.alive()]
        # All asked at once: each shuts down in its own time, together.
        for process in running:
            process.terminate()
        for process in running:
            process.stop()
        self.purge_queue()
        self._drop_database()

    def start_worker(self):
        self.worker_starts += 1
        self.worker = Process(
            f"worker{self.worker_starts}",
            # docker-compose.yml's worker command.
            [str(BIN / "celery"), "-A", "deelbaar", "worker", "--beat", "--loglevel=info"],
            env=self.env,
            cwd=self.workdir,  # beat writes its schedule file here
            log_dir=self.log_dir,
        ).start()
        return self.worker

    def wait_for_worker(self, timeout: float = 60):
        worker = self.worker
        wait_until(
            lambda: worker.alive() and re.search(r"celery@\S+ ready\.", worker.log()),
            timeout=timeout,
            what=f"{worker.name} ready",
            interval=0.2,
            stack=self,
        )

    def manage(self, *args: str):
        """A `deelbaar` management command in the stack's environment."""
        result = subprocess.run(
            [str(BIN / "deelbaar"), *args],
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if result.returncode:
            raise RuntimeError(f"deelbaar {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def collectstatic(self):
        """What the Dockerfile does at build time. Without Brotli, which the image does not
        install but the test extra brings (Locust needs it): compressing every vendored file at
        Brotli's highest quality takes two minutes on a busy 2-core machine, gzip seconds."""
        script = (
            "import sys; sys.modules['brotli'] = None; "
            "from deelbaar.cli import main; "
            "sys.argv = ['deelbaar', 'collectstatic', '--noinput', '--verbosity=0']; main()"
        )
        subprocess.run(
            [sys.executable, "-c", script],
            env=self.env,
            cwd=self.workdir,
            check=True,
            capture_output=True,
            timeout=180,
        )

    def _drop_database(self):
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def purge_queue(self):
        """Empty the default queue, and forget the jobs a killed worker left unacknowledged on
        it: jobs queued by other tests (or an earlier run) name rows of another database."""
        with redis.Redis.from_url(self.redis_url) as client:
            for key in client.scan_iter(match=f"{QUEUE}*"):
                if key == QUEUE.encode() or key.startswith(f"{QUEUE}\x06\x16".encode()):
                    client.delete(key)
            for tag, raw in client.hgetall("unacked").items():
                with contextlib.suppress(ValueError, IndexError, TypeError):
                    if json.loads(raw)[2] == QUEUE:
                        client.hdel("unacked", tag)
                        client.zrem("unacked_index", tag)

    # --- Reaching it -------------------------------------------------------------------------
    def url(self, web: int, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[web]}{path}"

    def ws_url(self, web: int, path: str) -> str:
        return f"ws://127.0.0.1:{self.ports[web]}{path}"

    def origin(self, web: int) -> str:
        return f"http://127.0.0.1:{self.ports[web]}"

    def token(self, username: str, password: str = "deelbaar-demo") -> str:
        response = requests.post(
            self.url(0, "/api/v1/auth/token/"),
            json={"username": username, "password": password},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def api(self, username: str, web: int = 0) -> "Api":
        return Api(self, web, self.token(username))

    def session_cookie(self, username: str, password: str = "deelbaar-demo", web: int = 0) -> str:
        """Log in through the login page; the session cookie's `name=value`. The cookies are
        marked Secure (DEBUG is off), so they are carried by hand over plain http."""
        page = requests.get(self.url(web, "/accounts/login/"), timeout=30)
        csrf = _set_cookie(page, "csrftoken")
        form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = requests.post(
            self.url(web, "/accounts/login/"),
            data={"username": username, "password": password, "csrfmiddlewaretoken": form_token},
            headers={"Cookie": f"csrftoken={csrf}"},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:500]
        return f"sessionid={_set_cookie(response, 'sessionid')}"

    def query(self, sql: str, params=()):
        """Rows of a query on the stack's database (read-only use)."""
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def log_tails(self) -> str:
        processes = [*self.webs, self.worker] if self.worker else self.webs
        return "\n".join(f"--- {p.name} ---\n{p.tail()}" for p in processes)


def _set_cookie(response, name: str) -> str:
    """A cookie the response sets (requests keeps no Secure cookie from a plain http answer)."""
    found = re.search(rf"(?:^|[,;]\s*){name}=([^;,\s]+)", response.headers.get("Set-Cookie", ""))
    assert found, f"no {name} cookie set: {response.headers.get('Set-Cookie')}"
    return found.group(1)


class Api:
    """A JSON client on one web process with a person's token."""

    def __init__(self, stack: Stack, web: int, token: str):
        self.stack = stack
        self.web = web
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Token {token}", "Accept-Language": "en"})

    def on(self, web: int) -> "Api":
        other = Api(self.stack, web, "")
        other.session.headers.update(self.session.headers)
        return other

    def request(self, method: str, path: str, expect: int | None = 200, **kwargs):
        response = self.session.request(
            method, self.stack.url(self.web, path), timeout=30, **kwargs
        )
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {path}: {response.status_code} {response.text[:1000]}"
            )
        return response

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs).json()

    def post(self, path: str, json=None, expect: int = 200, **kwargs):
        response = self.request("POST", path, expect=expect, json=json, **kwargs)
        return response.json() if response.content else None

"""Times the hot paths over real HTTP: one uvicorn process with the production settings.

The budgets of issue 10 (p95, after warm-up), on PostgreSQL:

- the backlog's first page of 50 at 500, 5,000 and 50,000 items: < 15 ms each, and flat
  (the median at 50,000 at most 1.5 times the one at 500, plus a millisecond of noise)
- a move (before or after another item) in a 5,000-item backlog: < 15 ms
- a move that finds no room between its neighbours in a 50,000-item backlog, so that the
  items around the spot are spaced out again: < 200 ms
- the catalogue of 10,000 solutions without a search, and with one: < 30 ms each
- similar solutions to a proposal: < 100 ms

The data is made in a scratch database beside the one DATABASE_URL names (`<name>_httpbench`,
dropped afterwards); then `uvicorn deelbaar.asgi:application` starts on it with DEBUG off, a
SECRET_KEY of its own, the connection pool, and REDIS_URL when set, and is driven over one
keep-alive connection with an API token, as a client would. Afterwards the backlog page is
timed once more with the pool turned off (DATABASE_POOL_MAX_SIZE=0), for comparison.

Needs PostgreSQL: without DATABASE_URL it says so and fails. Fails when a p95 is over budget.
"""

import gc
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.utils.timezone import localdate

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_solutions
import bench_sprints

SIZES = (500, 5_000, 50_000)
BUDGETS_MS = {
    "backlog page, 500": 15,
    "backlog page, 5,000": 15,
    "backlog page, 50,000": 15,
    "move, 5,000": 15,
    "move making room, 50,000": 200,
    "catalogue, no search": 30,
    "catalogue search": 30,
    "similar solutions": 100,
}
WARM_UP = 20
WARM_SERVER = 400
ROUNDS = 200
FLAT_FACTOR, FLAT_NOISE_MS = 1.5, 1.0
ROOT = Path(__file__).resolve().parents[2]


def report(name, times, over, budget=True):
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    limit = BUDGETS_MS.get(name) if budget else None
    print(f"{name:<34}{len(times):>8}{median:>12.2f}{p95:>10.2f}{limit or '-':>9}", flush=True)
    if limit is not None and p95 > limit:
        over.append(name)
    return median


# --- The data ------------------------------------------------------------------------------
def build(rng):
    """10,000 solutions (as bench_solutions makes them); a pilot and its owner through the
    services, with one product per backlog size whose items go in in bulk."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from cooperative import services as cooperative
    from cooperative.models import MembershipRole, OrganisationKind
    from people.services.tokens import issue_token
    from sprints import services

    cooperatives, _ = bench_solutions.build_library(rng)
    zob = cooperatives[0]
    users = get_user_model()
    admin = users.objects.get(username="bench-admin")
    eindhoven = cooperative.register_organisation(
        actor=admin,
        kind=OrganisationKind.MUNICIPALITY,
        name="Eindhoven",
        cbs_code="GM0772",
        inhabitants=243_730,
    )
    owner = users.objects.create_user("bench-owner", password=secrets.token_urlsafe())
    cooperative.affiliate(actor=admin, organisation=eindhoven, user=owner)
    cooperative.appoint_coordinator(actor=admin, cooperative=zob, user=admin)
    membership = cooperative.apply_for_membership(
        actor=owner, cooperative=zob, organisation=eindhoven, role=MembershipRole.PILOT
    )
    membership = cooperative.approve_membership(actor=admin, membership=membership)
    cooperative.record_payment(
        actor=admin, membership=membership, paid_on=localdate(), amount=Decimal("1000")
    )
    products = {}
    for size in SIZES:
        product = services.create_product(
            actor=owner, cooperative=zob, owner=eindhoven, name=f"Backlog {size}", key=f"B{size}"
        )
        bench_sprints.add_backlog(product, size, batch_size=2_000)
        products[size] = product
    # Fresh planner statistics, as autovacuum keeps them in production.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return products, issue_token(actor=owner, user=owner, name="bench")[1]


# --- The server ----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(database_url, **extra_env):
    """uvicorn on a free port with the production settings; yields the port."""
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        # Nothing static is served here; an empty folder spares WhiteNoise's warning.
        "STATIC_ROOT": tempfile.mkdtemp(prefix="deelbaar-bench-static-"),
        **extra_env,
    }
    uvicorn = Path(sys.executable).with_name("uvicorn")
    process = subprocess.Popen(
        [
            str(uvicorn),
            "deelbaar.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn stopped at start (exit code {process.returncode})")
            try:
                status, _ = Client(port).get("/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not answer /healthz within a minute")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client:
    """One keep-alive HTTP/1.1 connection, as a browser or an API client keeps one."""

    def __init__(self, port, token=None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Token {token}"} if token else {}

    def request(self, method, path, body=None):
        headers = dict(self.headers)
        if body is not None:
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def get(self, path, params=None):
        return self.request("GET", f"{path}?{urlencode(params, doseq=True)}" if params else path)

    def timed(self, method, path, body=None, *, expect=200):
        start = time.perf_counter()
        status, content = self.request(method, path, body)
        elapsed = (time.perf_counter() - start) * 1000
        assert status == expect, (method, path, status, content[:300])
        return elapsed, content


def rounds_of(function, rounds=ROUNDS, warm_up=WARM_UP):
    for _ in range(warm_up):
        function()
    # The client's own garbage collections are not the server's latency: this process holds
    # everything build() made, and a collection of it inside a timed request added tens of
    # milliseconds to that request. The rounds' garbage is freed by reference counting.
    gc.collect()
    gc.disable()
    try:
        return [function() for _ in range(rounds)]
    finally:
        gc.enable()


def warm(client, products, rounds=WARM_SERVER):
    """A server just started answers its first few hundred requests slower (in three runs of
    five the first size timed was the slowest, by up to 5 ms at p95): connections, caches and
    first uses filling. Every budget is for a warm server, so it first answers 400 requests
    untimed; each operation's own warm-up rounds come on top."""
    paths = [
        f"/api/v1/products/{product.pk}/backlog/?page_size=50" for product in products.values()
    ]
    paths.append("/api/v1/solutions/")
    for round_ in range(rounds):
        client.timed("GET", paths[round_ % len(paths)])


# --- What is timed -------------------------------------------------------------------------
def bench_backlog(client, products, over, label="backlog page"):
    medians = {}
    for size, product in products.items():
        path = f"/api/v1/products/{product.pk}/backlog/?page_size=50"

        def page(path=path, size=size):
            elapsed, content = client.timed("GET", path)
            body = json.loads(content)
            assert body["count"] == size and len(body["results"]) == 50, body["count"]
            return elapsed

        name = f"{label}, {size:,}"
        medians[size] = report(name, rounds_of(page), over, budget=label == "backlog page")
    return medians


def bench_moves(client, product, rng, over):
    from sprints.models import BacklogItem

    pks = list(BacklogItem.objects.filter(product=product).values_list("pk", flat=True))
    path = f"/api/v1/products/{product.pk}/backlog/move/"

    def move():
        item, target = rng.sample(pks, 2)
        return client.timed("POST", path, {"item": item, rng.choice(["before", "after"]): target})[
            0
        ]

    report(f"move, {len(pks):,}", rounds_of(move, rounds=300), over)


def bench_making_room(client, product, rng, over):
    """Each round squeezes two neighbours together (untimed), then times the move of an item
    between them, which must space the items around the spot out again."""
    from sprints.models import BacklogItem

    backlog = BacklogItem.objects.filter(product=product).order_by("position")
    path = f"/api/v1/products/{product.pk}/backlog/move/"
    count = backlog.count()

    def squeeze_and_move():
        index = rng.randrange(count // 10, count - count // 10)
        lower, upper = backlog.values_list("pk", "position")[index : index + 2]
        BacklogItem.objects.filter(pk=upper[0]).update(position=lower[1] + 1)
        mover = backlog.values_list("pk", flat=True)[rng.randrange(0, count // 20)]
        return client.timed("POST", path, {"item": mover, "before": upper[0]})[0]

    report(f"move making room, {count:,}", rounds_of(squeeze_and_move, rounds=40, warm_up=3), over)
    positions = list(backlog.values_list("position", flat=True))
    assert len(positions) == count and len(set(positions)) == count, "an item was lost"


def bench_catalogue(client, rng, over):
    statuses = bench_solutions.STATUSES

    def listing():
        params = {"status": rng.sample(statuses, 2)} if rng.random() < 0.5 else None
        query = f"?{urlencode(params, doseq=True)}" if params else ""
        return client.timed("GET", f"/api/v1/solutions/{query}")[0]

    def search():
        params = {"q": " ".join(rng.sample(bench_solutions.SUBJECTS, 1))}
        if rng.random() < 0.5:
            params["status"] = rng.sample(statuses, 2)
        return client.timed("GET", f"/api/v1/solutions/?{urlencode(params, doseq=True)}")[0]

    def similar():
        title, description = bench_solutions.proposal(rng)
        query = urlencode({"title": title, "description": description})
        return client.timed("GET", f"/api/v1/solutions/similar/?{query}")[0]

    report("catalogue, no search", rounds_of(listing), over)
    report("catalogue search", rounds_of(search), over)
    report("similar solutions", rounds_of(similar), over)


def scratch_url(database_url: str, name: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print(
            "bench_http.py NOT RUN: the HTTP budgets are measured on PostgreSQL. Set "
            "DATABASE_URL=postgres://user@host:5432/name (a scratch database name_httpbench is "
            "made beside it and dropped afterwards), and REDIS_URL as production has it.",
            file=sys.stderr,
        )
        return 1
    os.environ.setdefault("DEELBAAR_DATA_DIR", tempfile.mkdtemp(prefix="deelbaar-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deelbaar.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    name = f"{connection.settings_dict['NAME']}_httpbench"
    connection.settings_dict["TEST"]["NAME"] = name
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    over = []
    try:
        rng = random.Random(42)
        start = time.perf_counter()
        products, token = build(rng)
        print(
            f"PostgreSQL, one uvicorn process; backlogs of {', '.join(f'{s:,}' for s in SIZES)} "
            f"items, {bench_solutions.SOLUTIONS:,} solutions (made in "
            f"{time.perf_counter() - start:.0f} s); Redis: "
            f"{'yes' if os.environ.get('REDIS_URL') else 'no (in-memory layer)'}",
            flush=True,
        )
        url = scratch_url(database_url, name)
        print(f"{'operation':<34}{'rounds':>8}{'median ms':>12}{'p95 ms':>10}{'budget':>9}")
        with server(url) as port:
            client = Client(port, token)
            warm(client, products)
            medians = bench_backlog(client, products, over)
            bench_moves(client, products[5_000], rng, over)
            bench_making_room(client, products[50_000], rng, over)
            bench_catalogue(Client(port), rng, over)
        smallest, largest = medians[SIZES[0]], medians[SIZES[-1]]
        flat = largest <= smallest * FLAT_FACTOR + FLAT_NOISE_MS
        print(
            f"backlog page flat from {SIZES[0]:,} to {SIZES[-1]:,}: "
            f"{'yes' if flat else 'NO'} ({smallest:.2f} → {largest:.2f} ms median)"
        )
        if not flat:
            over.append("backlog page flat")
        # For comparison: a new connection per request, as without the pool.
        with server(url, DATABASE_POOL_MAX_SIZE="0") as port:
            bench_backlog(
                Client(port, token), {5_000: products[5_000]}, over, "backlog page, no pool"
            )
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if over:
        print("over budget:", ", ".join(over))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

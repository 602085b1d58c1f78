"""Times the sprints' hot paths on a 5,000-item backlog, with the issue's budgets beside them.

- the backlog page: GET /api/v1/products/{id}/backlog/?page_size=50 through the full stack
- a move: services.move_item() to a random place (and, unbudgeted, the same through the API,
  and a move that must first space out the items around its spot)
- one event reaching 100 connected websocket clients on Redis (only with REDIS_URL)

Prints median and 95th percentile; fails when a p95 is over its budget. Runs on a fresh
embedded database in a temporary folder, or, when DATABASE_URL is set, on a scratch database
created beside the configured one (`<name>_bench`) and dropped afterwards.
"""

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal

from django.utils.timezone import localdate

ITEMS = 5_000
CLIENTS = 100
# The budgets, for PostgreSQL (and Redis). A move's budget is the service's; the same
# move through the API is printed for comparison (its HTTP and DRF overhead is on top).
BUDGETS_MS = {"backlog page": 30, "move (service)": 20, "event to 100": 100}


def report(name, times, over, budget=True):
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    limit = BUDGETS_MS.get(name) if budget else None
    print(f"{name:<24}{len(times):>8}{median:>12.2f}{p95:>10.2f}{limit or '-':>9}")
    if limit is not None and p95 > limit:
        over.append(name)


def add_backlog(product, size: int, *, batch_size: int) -> None:
    """`size` ready items (one criterion, 3 points) in bulk, numbered and placed as the
    services would."""
    from sprints import services
    from sprints.models import AcceptanceCriterion, BacklogItem, Product

    items = BacklogItem.objects.bulk_create(
        (
            BacklogItem(
                product=product,
                number=n,
                position=n * services.GAP,
                title=f"Als inwoner wil ik aanvraag {n} indienen",
                description="Als inwoner wil ik … zodat …",
                estimate=3,
            )
            for n in range(1, size + 1)
        ),
        batch_size=batch_size,
    )
    AcceptanceCriterion.objects.bulk_create(
        (AcceptanceCriterion(item=item, position=1, text="Het werkt") for item in items),
        batch_size=batch_size,
    )
    Product.objects.filter(pk=product.pk).update(last_item_number=size)


def build_world():
    """A pilot, a product and its owner through the services; the 5,000 items in bulk."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from cooperative import services as cooperative
    from cooperative.models import ContributionKind, MembershipRole, OrganisationKind
    from sprints import services

    users = get_user_model()
    admin = users.objects.create_superuser("bench-admin", "admin@example.org", "x")
    eindhoven = cooperative.register_organisation(
        actor=admin,
        kind=OrganisationKind.MUNICIPALITY,
        name="Eindhoven",
        cbs_code="GM0772",
        inhabitants=243_730,
    )
    zob = cooperative.create_cooperative(
        actor=admin,
        name="Zuidoost-Brabant",
        contribution_kind=ContributionKind.FIXED,
        contribution_amount=Decimal("1000"),
    )
    owner = users.objects.create_user("bench-owner", password="x")
    cooperative.affiliate(actor=admin, organisation=eindhoven, user=owner)
    cooperative.appoint_coordinator(actor=admin, cooperative=zob, user=admin)
    membership = cooperative.apply_for_membership(
        actor=owner, cooperative=zob, organisation=eindhoven, role=MembershipRole.PILOT
    )
    membership = cooperative.approve_membership(actor=admin, membership=membership)
    cooperative.record_payment(
        actor=admin,
        membership=membership,
        paid_on=localdate(),
        amount=membership.contribution_due,
    )
    product = services.create_product(
        actor=owner, cooperative=zob, owner=eindhoven, name="Subsidiesysteem", key="SUB"
    )
    add_backlog(product, ITEMS, batch_size=500)
    product.refresh_from_db()
    # Fresh planner statistics, as autovacuum keeps them in production: without them PostgreSQL
    # sorts all 5,000 rows for a page of 50 instead of walking the position index.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return product, owner


def bench_backlog_page(client, product, over):
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("api:backlog-list", kwargs={"product_pk": product.pk}) + "?page_size=50"
    except NoReverseMatch:
        url = None
    if url is None or client.get(url).status_code != 200:
        print("backlog page: the API is not there; timing the selector and a dict per item")
        from sprints import selectors

        def page():
            return [
                {"id": i.pk, "reference": i.reference, "title": i.title, "ready": i.is_ready}
                for i in selectors.backlog_for(product)[:50]
            ]
    else:

        def page():
            response = client.get(url)
            assert response.status_code == 200 and len(response.json()["results"]) == 50
            return response

    page()
    times = []
    for _ in range(200):
        start = time.perf_counter()
        page()
        times.append((time.perf_counter() - start) * 1000)
    report("backlog page", times, over)


def bench_moves(client, product, owner, over):
    from django.db import connection

    from sprints import services
    from sprints.models import BacklogItem

    rng = random.Random(42)
    pks = list(BacklogItem.objects.filter(product=product).values_list("pk", flat=True))

    def one_move():
        item, target = (BacklogItem.objects.get(pk=pk) for pk in rng.sample(pks, 2))
        where = rng.choice(["before", "after", "top", "bottom"])
        if where in ("top", "bottom"):
            return services.move_item(actor=owner, item=item, to=where)
        return services.move_item(actor=owner, item=item, **{where: target})

    times = []
    for _ in range(300):
        start = time.perf_counter()
        one_move()
        times.append((time.perf_counter() - start) * 1000)
    report("move (service)", times, over)

    url = f"/api/v1/products/{product.pk}/backlog/move/"
    probe = client.post(url, {"item": pks[0], "to": "top"}, content_type="application/json")
    if probe.status_code == 200:
        times = []
        for _ in range(300):
            item, target = rng.sample(pks, 2)
            body = {"item": item, rng.choice(["before", "after"]): target}
            start = time.perf_counter()
            response = client.post(url, body, content_type="application/json")
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.content
        report("move (API)", times, over)
    else:
        print(f"move (API): skipped, the API answered {probe.status_code}")

    # The rare case: two neighbours leave no room, so the items around the spot are spaced
    # out again (a window, not the whole backlog). Each round squeezes a pair first, untimed.
    backlog = BacklogItem.objects.filter(product=product).order_by("position")
    times = []
    for _ in range(20):
        index = rng.randrange(ITEMS // 10, ITEMS - ITEMS // 10)
        lower, upper = backlog.values_list("pk", "position")[index : index + 2]
        BacklogItem.objects.filter(pk=upper[0]).update(position=lower[1] + 1)
        mover = BacklogItem.objects.get(pk=backlog.values_list("pk", flat=True)[0])
        target = BacklogItem.objects.get(pk=upper[0])
        start = time.perf_counter()
        services.move_item(actor=owner, item=mover, before=target)
        times.append((time.perf_counter() - start) * 1000)
    report("move making room", times, over, budget=False)
    connection.close()


async def bench_event_fan_out(product, owner, over):
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.conf import settings
    from django.test import Client

    from deelbaar import events
    from deelbaar.asgi import application
    from sprints.events import product_group

    @database_sync_to_async
    def cookie():
        client = Client()
        client.force_login(owner)
        return (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    headers = [(b"origin", b"http://127.0.0.1:8000"), (b"cookie", (await cookie()).encode())]
    sockets = []
    for _ in range(CLIENTS):
        communicator = WebsocketCommunicator(
            application, f"/ws/products/{product.pk}/", headers=headers
        )
        connected, code = await communicator.connect(timeout=10)
        assert connected, code
        sockets.append(communicator)
    publish = database_sync_to_async(events.publish)
    group = product_group(product.pk)

    async def round_trip(n):
        start = time.perf_counter()
        await publish(group, "item.moved", {"id": n})
        messages = await asyncio.gather(*(s.receive_json_from(timeout=5) for s in sockets))
        elapsed = (time.perf_counter() - start) * 1000
        assert all(m["data"]["id"] == n for m in messages)
        return elapsed

    await round_trip(-1)
    times = [await round_trip(n) for n in range(100)]
    report("event to 100", times, over)
    # In batches: channels_redis on redis-py 8 refuses more than 100 commands at once from one
    # process ("Too many connections") unless the layer's hosts raise max_connections.
    for batch in range(0, CLIENTS, 50):
        await asyncio.gather(*(s.disconnect() for s in sockets[batch : batch + 50]))


def main() -> int:
    os.environ.setdefault("DEELBAAR_DATA_DIR", tempfile.mkdtemp(prefix="deelbaar-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deelbaar.settings")
    # A channel prefix of its own, so the bench never talks to a running server's sockets.
    os.environ["CHANNELS_PREFIX"] = f"bench-{uuid.uuid4().hex[:8]}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    scratch = connection.vendor == "postgresql"
    if scratch:
        # Never the configured database itself: a scratch one beside it.
        connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_bench"
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)
    over = []
    try:
        print(f"database: {connection.vendor}; backlog of {ITEMS} items")
        product, owner = build_world()
        client = Client()
        client.force_login(owner)
        print(f"{'operation':<24}{'rounds':>8}{'median ms':>12}{'p95 ms':>10}{'budget':>9}")
        bench_backlog_page(client, product, over)
        bench_moves(client, product, owner, over)
        if os.environ.get("REDIS_URL"):
            asyncio.run(bench_event_fan_out(product, owner, over))
        else:
            print("event to 100: skipped, needs REDIS_URL (the budget is for Redis)")
    finally:
        if scratch:
            connection.close()
            connection.creation.destroy_test_db(old_name, verbosity=0)
    if over:
        print("over budget:", ", ".join(over))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

"""/healthz: whether the database, the channel layer and the job broker answer."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from deelbaar.celery import app as celery_app

TIMEOUT = 2.0
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def _timed(check):
    start = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # any failure is a finding, not a crash of the health check
        detail = f"{type(exc).__name__}: {exc}"
        ok = False
    return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - start) * 1000, 1)}


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


async def _round_trip(layer):
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz"})
    await asyncio.wait_for(layer.receive(channel), TIMEOUT)


class _Loop:
    """One event loop, in a thread of its own, for the layer checks of every request: the
    Redis layer keeps a connection pool per event loop, so a fresh loop per check (as
    async_to_sync makes) would connect anew each time; probes come every few seconds."""

    _lock = threading.Lock()
    _loop = None

    @classmethod
    def run(cls, coroutine, timeout: float):
        with cls._lock:
            if cls._loop is None or cls._loop.is_closed():
                cls._loop = asyncio.new_event_loop()
                threading.Thread(
                    target=cls._loop.run_forever, name="healthz-loop", daemon=True
                ).start()
        return asyncio.run_coroutine_threadsafe(coroutine, cls._loop).result(timeout)


def check_channel_layer():
    layer = get_channel_layer()
    _Loop.run(_round_trip(layer), TIMEOUT + 1)
    return type(layer).__name__


def check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=TIMEOUT)
    return conn.transport.driver_name


@never_cache
@require_GET
def healthz(request):
    # Redis is asked twice (layer and broker): both at once, beside the database check, which
    # stays in this thread as Django's connection belongs to it.
    layer = _pool.submit(_timed, check_channel_layer)
    broker = _pool.submit(_timed, check_broker)
    checks = {
        "database": _timed(check_database),
        "channel_layer": layer.result(),
        "broker": broker.result(),
    }
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks}, status=200 if healthy else 503
    )

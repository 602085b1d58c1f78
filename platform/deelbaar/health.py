"""/healthz: whether the database, the channel layer and the job broker answer.

Anyone may ask (load balancers and compose health checks come without a login), but only the
verdict is public: what failed and why (host names, ports, driver messages) is shown to
administrators (a staff or superuser session) and to callers that send the `X-Health-Token`
header with the value of `DEELBAAR_HEALTH_TOKEN`. The full detail is always logged.
"""

import asyncio
import hmac
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from deelbaar.celery import app as celery_app

logger = logging.getLogger(__name__)

TIMEOUT = 2.0
TOKEN_HEADER = "X-Health-Token"  # noqa: S105 - the header's name, not a secret
# What a caller without the right to the detail reads: fixed words for monitors to match on,
# the same in every language.
PUBLIC_OK, PUBLIC_FAILING = "ok", "unavailable"
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


class _OwnLayer:
    """The health check's own channel layer, built from the settings like the consumers' one
    but never the same instance. `get_channel_layer()` gives every consumer of the process
    one shared instance, and the Redis layer lets only one event loop receive on an instance
    at a time ("Two event loops are trying to receive() on one channel layer at once!"):
    receiving on it from this loop failed the check whenever a websocket was open. Only
    touched from the check loop's thread, so it needs no lock; rebuilt when the settings
    change (tests switch layers)."""

    layer = None
    config = None

    @classmethod
    async def get(cls):
        config = repr(settings.CHANNEL_LAYERS.get(DEFAULT_CHANNEL_LAYER))
        if cls.layer is None or cls.config != config:
            old, cls.layer, cls.config = cls.layer, None, config
            if close := getattr(old, "close_pools", None):
                try:
                    await close()
                except Exception:  # the old layer's server may be gone; nothing to keep
                    logger.debug("closing the previous health check layer failed", exc_info=True)
            cls.layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
        return cls.layer


async def _round_trip():
    layer = await _OwnLayer.get()
    channel = await layer.new_channel("healthz")
    await layer.send(channel, {"type": "healthz"})
    await asyncio.wait_for(layer.receive(channel), TIMEOUT)
    return type(layer).__name__


def check_channel_layer():
    return _Loop.run(_round_trip(), TIMEOUT + 1)


def check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=TIMEOUT)
    return conn.transport.driver_name


def may_see_detail(request) -> bool:
    """Administrators (staff or superuser) and callers with the configured health token."""
    user = getattr(request, "user", None)
    if user is not None and user.is_active and (user.is_staff or user.is_superuser):
        return True
    token = settings.DEELBAAR_HEALTH_TOKEN
    given = request.headers.get(TOKEN_HEADER, "")
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


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
    for name, check in checks.items():
        if not check["ok"]:
            logger.warning("health check %s failed: %s", name, check["detail"])
    healthy = all(check["ok"] for check in checks.values())
    if not may_see_detail(request):
        for check in checks.values():
            check["detail"] = PUBLIC_OK if check["ok"] else PUBLIC_FAILING
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks}, status=200 if healthy else 503
    )

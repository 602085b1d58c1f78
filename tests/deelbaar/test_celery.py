"""Background jobs: in-process in the embedded mode, a real worker with Redis."""

import os
import subprocess
import sys
import uuid

import pytest

from deelbaar.tasks import clear_expired_sessions, ping


def test_embedded_mode_runs_jobs_in_process_at_once(settings):
    if os.environ.get("REDIS_URL"):
        pytest.skip("embedded mode only; this pass runs a real worker instead")
    result = ping.delay()
    assert result.successful()
    assert result.get()["pong"] is True


@pytest.mark.django_db
def test_clear_expired_sessions_removes_only_expired_ones(user):
    from datetime import timedelta

    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    fresh = SessionStore()
    fresh.create()
    old = SessionStore()
    old.create()
    Session.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    clear_expired_sessions.apply()
    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]


@pytest.mark.redis
def test_a_real_worker_process_runs_the_task(tmp_path):
    """Starts `celery worker` as its own process on Redis and waits for the job's answer."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "deelbaar.settings",
        "DEELBAAR_DATA_DIR": str(tmp_path),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "deelbaar",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            "-n",
            f"{queue}@%h",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = ping.apply_async(queue=queue)
        answer = result.get(timeout=60)
        assert answer["pong"] is True
        assert result.status == "SUCCESS"
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert "deelbaar.ping" in output


def test_every_scheduled_job_is_a_registered_task():
    # A beat entry naming a job no module defines would fail only in production, silently.
    from django.conf import settings

    from deelbaar.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "deelbaar.clear_expired_sessions" in scheduled
    assert scheduled <= set(app.tasks)

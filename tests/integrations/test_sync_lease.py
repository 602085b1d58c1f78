"""A sync whose worker died recovers by itself: the running sync holds a lease it renews (a
heartbeat); a lease not renewed within DEELBAAR_SYNC_LEASE_SECONDS is taken over by the next
sync, which beat queues. A sync that cannot be queued fails at once and says so. The final
message counts the commits inserted, not those read. Real git repositories throughout; the
killed-worker run with real processes is in tests/production/."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from deelbaar.celery import app as celery_app
from integrations import tasks
from integrations.models import Commit, Repository, SyncState
from integrations.services import repositories as services
from tests.integrations.gitrepos import as_, sync

pytestmark = pytest.mark.usefixtures("git_settings")


def stalled(repository, *, seconds_ago):
    """The repository as a sync left it whose worker died `seconds_ago` after its last beat."""
    beat = timezone.now() - timedelta(seconds=seconds_ago)
    Repository.objects.filter(pk=repository.pk).update(
        state=SyncState.SYNCING, sync_lease="dead0worker", sync_heartbeat_at=beat
    )


@pytest.mark.django_db
def test_a_live_lease_keeps_the_repository(work, link, settings):
    settings.DEELBAAR_SYNC_LEASE_SECONDS = 60
    work.commit("one")
    repository = link(work.path)
    stalled(repository, seconds_ago=5)

    assert sync(repository) == "busy"
    assert repository.state == SyncState.SYNCING
    assert repository.sync_again is True  # the holder runs once more as it ends
    assert Commit.objects.count() == 0


@pytest.mark.django_db
def test_an_expired_lease_is_taken_over(work, link, settings):
    settings.DEELBAAR_SYNC_LEASE_SECONDS = 60
    work.commit("one")
    work.commit("two")
    repository = link(work.path)
    stalled(repository, seconds_ago=61)

    assert sync(repository) == SyncState.SYNCED
    assert repository.commits.count() == 2
    assert repository.sync_lease == ""
    assert repository.state_message == "Imported 2 new commits."


@pytest.mark.django_db
def test_the_dead_sync_cannot_write_its_end_after_a_takeover(work, link, settings):
    settings.DEELBAAR_SYNC_LEASE_SECONDS = 60
    work.commit("one")
    repository = link(work.path)
    old_repository, old_lease = services._claim(repository.pk)
    # The old sync's worker stops beating; a new sync takes over and finishes.
    Repository.objects.filter(pk=repository.pk).update(
        sync_heartbeat_at=timezone.now() - timedelta(seconds=61)
    )
    assert sync(repository) == SyncState.SYNCED

    # The old one wakes up: its lease is gone, and neither renewing nor ending writes a thing.
    assert old_lease.renew() is False
    with pytest.raises(services.LeaseLost):
        old_lease.check()
    assert not services._finish(
        old_repository, old_lease, set(), state=SyncState.FAILED, message="stale"
    )
    repository.refresh_from_db()
    assert repository.state == SyncState.SYNCED
    assert repository.state_message == "Imported 1 new commit."


@pytest.mark.django_db
def test_the_message_counts_inserted_commits_not_read_ones(work, link, settings):
    """A takeover after a dead sync that stored part of the history: all are read again, only
    the missing ones are inserted and counted."""
    work.commit("one")
    work.many(2500, message="change {n}")
    repository = link(work.path)
    assert sync(repository) == SyncState.SYNCED
    # As if the first sync died after storing its first batch: head not moved yet.
    kept = set(Commit.objects.order_by("committed_at", "pk").values_list("pk", flat=True)[:1000])
    Commit.objects.exclude(pk__in=kept).delete()
    Repository.objects.filter(pk=repository.pk).update(head_sha="")
    stalled(repository, seconds_ago=3600)

    assert sync(repository) == SyncState.SYNCED
    assert repository.progress_total == 2501  # read
    assert repository.commits.count() == 2501
    assert repository.state_message == "Imported 1501 new commits."


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_while_git_works(work, link, settings, monkeypatch):
    """The beat runs beside a git command that takes longer than the lease; without it the
    sync would be taken for dead."""
    settings.DEELBAAR_SYNC_LEASE_SECONDS = 0.6  # a beat every 0.1 s
    work.commit("one")
    repository = link(work.path)
    fetch = services.mirrors.update_mirror
    beats = []

    def slow_fetch(repository_id, url, **kwargs):
        path = fetch(repository_id, url, **kwargs)
        for _tick in range(8):  # 1.6 s: more than two leases
            time.sleep(0.2)
            beats.append(
                Repository.objects.values_list("sync_heartbeat_at", flat=True).get(pk=repository_id)
            )
            # A second sync meanwhile finds the lease alive.
            assert services._claim(repository_id) is None
        return path

    monkeypatch.setattr(services.mirrors, "update_mirror", slow_fetch)
    assert services.sync_repository(repository.pk) == SyncState.SYNCED
    assert len(set(beats)) >= 3, beats  # renewed several times during the one git command
    repository.refresh_from_db()
    assert repository.commits.count() == 1


@pytest.mark.django_db
def test_beat_queues_a_sync_for_each_stalled_repository(work, link, settings, eager):
    settings.DEELBAAR_SYNC_LEASE_SECONDS = 60
    work.commit("one")
    dead, alive = link(work.path), link(str(work.path) + "/.git")
    stalled(dead, seconds_ago=61)
    stalled(alive, seconds_ago=1)

    assert tasks.recover_stalled_syncs.delay().get() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.state == SyncState.SYNCED  # eager: the queued sync ran and took over
    assert dead.commits.count() == 1
    assert alive.state == SyncState.SYNCING


@pytest.fixture
def broker_down(monkeypatch):
    """The job queue on a port where nothing listens, as when Redis is down."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{port}/1")
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    yield
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_a_sync_that_cannot_be_queued_fails_at_once_with_a_503(
    work, link, product_owner, broker_down
):
    work.commit("one")
    repository = link(work.path)
    Repository.objects.filter(pk=repository.pk).update(state=SyncState.SYNCED)

    started = time.monotonic()
    response = as_(product_owner).post(f"/api/v1/repositories/{repository.pk}/sync/")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == 503
    assert body["code"] == "queue_unavailable"
    assert "could not be queued" in body["detail"]
    assert elapsed < 5, elapsed
    repository.refresh_from_db()
    assert repository.state == SyncState.FAILED
    assert "could not be queued" in repository.state_message


@pytest.mark.django_db(transaction=True)
def test_a_link_whose_first_sync_cannot_be_queued_stands_and_says_so(
    product, product_owner, broker_down
):
    response = as_(product_owner).post(
        "/api/v1/repositories/",
        {"product": product.pk, "url": "https://github.com/org/app.git"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["state"] == SyncState.FAILED
    assert "could not be queued" in response.json()["state_message"]


@pytest.mark.django_db(transaction=True)
def test_the_sync_button_says_when_the_queue_is_down(
    client, work, link, product_owner, broker_down
):
    from tests.integrations.gitrepos import page_url

    work.commit("one")
    repository = link(work.path)
    client.force_login(product_owner)
    response = client.post(page_url(repository) + "sync", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.status_code == 200
    assert "could not be queued" in response.content.decode()
    repository.refresh_from_db()
    assert repository.state == SyncState.FAILED


@pytest.mark.django_db(transaction=True)
def test_a_push_hook_that_cannot_be_queued_answers_503_and_counts_on_retry(
    work, link, broker_down, monkeypatch
):
    from django.test import Client

    from integrations.models import HookBodyDigest, HookDelivery
    from tests.integrations.test_hooks import post, push_payload, signed

    work.commit("one")
    repository = link(work.path)
    body = push_payload("github")
    headers = signed("github", repository.hook_secret, body, delivery="d-1")
    response = post(Client(), "github", repository, body, headers)
    assert response.status_code == 503
    assert response.json()["code"] == "queue_unavailable"
    # Nothing kept: the host's retry of the same delivery is not taken for a repeat.
    assert not HookDelivery.objects.exists()
    assert not HookBodyDigest.objects.exists()

    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    assert post(Client(), "github", repository, body, headers).status_code == 202


def test_webhook_retries_longer_than_half_the_visibility_timeout_go_to_the_sweep(settings):
    settings.CELERY_VISIBILITY_TIMEOUT = 960
    assert tasks._retried_by_celery(300)
    assert tasks._retried_by_celery(480)
    assert not tasks._retried_by_celery(30 * 60)

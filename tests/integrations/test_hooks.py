"""Incoming push hooks: each provider's signature scheme, replays, and every refusal."""

import hashlib
import hmac
import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from deelbaar.errors import DomainError
from integrations.models import HookBodyDigest, HookDelivery, Repository, SyncState
from integrations.services import hooks
from integrations.signatures import BadSignature, Unsigned

pytestmark = pytest.mark.django_db

PROVIDERS = ["github", "gitlab", "gitea"]
AFTER = "bffeb74224043ba2feb48d137756c8a9331c449a"
BEFORE = "28e1879d029cb852e4844d9c718537df08844e03"


@pytest.fixture
def repository(product, tmp_path):
    # A path that is no repository: a sync that runs ends in a clear failure, not in a fetch.
    return Repository.objects.create(product=product, url=str(tmp_path / "not-a-repository"))


@pytest.fixture
def client():
    # Hooks come without a session or CSRF token; prove that the check is not needed.
    return Client(enforce_csrf_checks=True)


def url(provider, repository_id):
    return f"/api/v1/hooks/{provider}/{repository_id}/"


def push_payload(provider, ref="refs/heads/main") -> bytes:
    commit = {
        "id": AFTER,
        "message": "SUB-1 Subsidieaanvraag indienen\n",
        "timestamp": "2026-11-30T13:52:11+01:00",
        "url": f"https://git.example.nl/zob/subsidies/commit/{AFTER}",
        "author": {"name": "Anne de Vries", "email": "anne@example.nl"},
    }
    if provider == "gitlab":
        payload = {
            "object_kind": "push",
            "event_name": "push",
            "before": BEFORE,
            "after": AFTER,
            "ref": ref,
            "checkout_sha": AFTER,
            "user_username": "anne",
            "project": {
                "id": 15,
                "name": "subsidies",
                "path_with_namespace": "zob/subsidies",
                "default_branch": "main",
                "git_http_url": "https://gitlab.example.nl/zob/subsidies.git",
            },
            "commits": [commit],
            "total_commits_count": 1,
        }
    else:
        payload = {
            "ref": ref,
            "before": BEFORE,
            "after": AFTER,
            "repository": {
                "id": 140,
                "full_name": "zob/subsidies",
                "clone_url": "https://git.example.nl/zob/subsidies.git",
                "default_branch": "main",
            },
            "pusher": {"name": "anne", "email": "anne@example.nl"},
            "commits": [commit],
            "head_commit": commit,
        }
    return json.dumps(payload).encode()


def signed(provider, secret, body, *, delivery=None, event=None) -> dict:
    """The headers the provider would send with `body`, signed with `secret`."""
    delivery = delivery or str(uuid.uuid4())
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if provider == "github":
        return {
            "X-Hub-Signature-256": f"sha256={digest}",
            "X-GitHub-Delivery": delivery,
            "X-GitHub-Event": event or "push",
        }
    if provider == "gitlab":
        return {
            "X-Gitlab-Token": secret,
            "X-Gitlab-Event-UUID": delivery,
            "X-Gitlab-Event": event or "Push Hook",
        }
    return {
        "X-Gitea-Signature": digest,
        "X-Gitea-Delivery": delivery,
        "X-Gitea-Event": event or "push",
    }


SIGNATURE_HEADER = {
    "github": "X-Hub-Signature-256",
    "gitlab": "X-Gitlab-Token",
    "gitea": "X-Gitea-Signature",
}


def post(client, provider, repository, body, headers):
    return client.post(
        url(provider, repository.pk), body, content_type="application/json", headers=headers
    )


def assert_error(response, status_code, code=None):
    assert response.status_code == status_code, response.content
    data = response.json()
    assert data["status"] == status_code
    assert data["detail"]
    assert data["errors"]
    if code:
        assert data["code"] == code


def assert_nothing_changed(repository, callbacks):
    assert not HookDelivery.objects.exists()
    assert callbacks == []
    repository.refresh_from_db()
    assert repository.state == SyncState.NEW


# -- accepted ---------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_signed_push_to_the_default_branch_is_recorded_and_schedules_a_sync(
    client, repository, provider, django_capture_on_commit_callbacks
):
    body = push_payload(provider)
    headers = signed(provider, repository.hook_secret, body, delivery="d-1")
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, provider, repository, body, headers)

    assert response.status_code == 202, response.content
    assert response.json()["status"] == "scheduled"
    delivery = HookDelivery.objects.get()
    assert (delivery.repository, delivery.provider, delivery.delivery_id) == (
        repository,
        provider,
        "d-1",
    )
    assert delivery.event == headers[next(h for h in headers if h.endswith("Event"))]
    assert len(callbacks) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_scheduled_sync_runs_after_commit(
    client, repository, provider, django_capture_on_commit_callbacks, monkeypatch
):
    pytest.importorskip("integrations.tasks")
    from deelbaar.celery import app

    # With REDIS_URL the job would go to a worker, which cannot see this test's transaction:
    # run it here, as the embedded mode does.
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    body = push_payload(provider)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, provider, repository, body, signed(provider, repository.hook_secret, body)
        )
    assert response.status_code == 202
    repository.refresh_from_db()
    # The job ran (eagerly in the embedded mode): the path is no repository, so it says so.
    assert repository.state != SyncState.NEW, repository.state
    assert repository.state == SyncState.FAILED, repository.state_message


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_repeated_delivery_is_accepted_once(
    client, repository, provider, django_capture_on_commit_callbacks
):
    body = push_payload(provider)
    headers = signed(provider, repository.hook_secret, body, delivery="same-delivery")
    with django_capture_on_commit_callbacks() as callbacks:
        first = post(client, provider, repository, body, headers)
        again = post(client, provider, repository, body, headers)

    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json()["status"] == "already received"
    assert HookDelivery.objects.count() == 1
    assert len(callbacks) == 1


def test_gitlab_prefers_the_idempotency_key_that_stays_the_same_on_retries(
    client, repository, django_capture_on_commit_callbacks
):
    body = push_payload("gitlab")
    first = signed("gitlab", repository.hook_secret, body, delivery="event-1")
    retry = signed("gitlab", repository.hook_secret, body, delivery="event-2")
    first["Idempotency-Key"] = retry["Idempotency-Key"] = "key-1"
    with django_capture_on_commit_callbacks() as callbacks:
        assert post(client, "gitlab", repository, body, first).status_code == 202
        assert post(client, "gitlab", repository, body, retry).status_code == 200
    assert HookDelivery.objects.get().delivery_id == "key-1"
    assert len(callbacks) == 1


def test_the_same_delivery_id_counts_per_repository(
    client, repository, product, django_capture_on_commit_callbacks
):
    other = Repository.objects.create(product=product, url="/nowhere/else")
    body = push_payload("github")
    with django_capture_on_commit_callbacks() as callbacks:
        for repo in (repository, other):
            headers = signed("github", repo.hook_secret, body, delivery="shared")
            assert post(client, "github", repo, body, headers).status_code == 202
    assert HookDelivery.objects.count() == 2
    assert len(callbacks) == 2


def test_a_delivery_without_an_id_is_kept_by_its_body(
    client, repository, django_capture_on_commit_callbacks
):
    body = push_payload("gitlab")
    headers = signed("gitlab", repository.hook_secret, body)
    del headers["X-Gitlab-Event-UUID"]  # GitLab before 15.x sends none
    with django_capture_on_commit_callbacks() as callbacks:
        assert post(client, "gitlab", repository, body, headers).status_code == 202
        assert post(client, "gitlab", repository, body, headers).status_code == 200
    assert HookDelivery.objects.get().delivery_id.startswith("body-sha256:")
    assert len(callbacks) == 1


# -- acknowledged, nothing changed ------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_push_to_another_branch_changes_nothing(
    client, repository, provider, django_capture_on_commit_callbacks
):
    body = push_payload(provider, ref="refs/heads/feature/SUB-7-bijlagen")
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(
            client, provider, repository, body, signed(provider, repository.hook_secret, body)
        )
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert_nothing_changed(repository, callbacks)


@pytest.mark.parametrize(
    ("provider", "event", "ref"),
    [
        ("github", "ping", None),
        ("github", "push", "refs/tags/v1.0.0"),
        ("gitlab", "Tag Push Hook", "refs/tags/v1.0.0"),
        ("gitlab", "Merge Request Hook", None),
        ("gitea", "create", "main"),
    ],
)
def test_other_events_and_tags_are_acknowledged_and_change_nothing(
    client, repository, provider, event, ref, django_capture_on_commit_callbacks
):
    payload = {"zen": "Keep it logically awesome.", "hook_id": 1}
    if ref:
        payload["ref"] = ref
    body = json.dumps(payload).encode()
    headers = signed(provider, repository.hook_secret, body, event=event)
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, provider, repository, body, headers)
    assert response.status_code == 200
    assert_nothing_changed(repository, callbacks)


def test_a_push_to_a_repository_whose_default_branch_is_not_main(
    client, product, django_capture_on_commit_callbacks
):
    repository = Repository.objects.create(product=product, url="/x", default_branch="develop")
    main = push_payload("gitea")
    develop = push_payload("gitea", ref="refs/heads/develop")
    with django_capture_on_commit_callbacks() as callbacks:
        assert (
            post(
                client, "gitea", repository, main, signed("gitea", repository.hook_secret, main)
            ).status_code
            == 200
        )
        assert (
            post(
                client,
                "gitea",
                repository,
                develop,
                signed("gitea", repository.hook_secret, develop),
            ).status_code
            == 202
        )
    assert len(callbacks) == 1


# -- refused ----------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_unsigned_is_refused_with_401(
    client, repository, provider, django_capture_on_commit_callbacks
):
    body = push_payload(provider)
    headers = signed(provider, repository.hook_secret, body)
    del headers[SIGNATURE_HEADER[provider]]
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, provider, repository, body, headers)
    assert_error(response, 401, "unsigned")
    assert response.json()["errors"][0]["field"] == SIGNATURE_HEADER[provider]
    assert_nothing_changed(repository, callbacks)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_signed_with_another_secret_is_refused_with_403(
    client, repository, provider, django_capture_on_commit_callbacks
):
    body = push_payload(provider)
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(
            client, provider, repository, body, signed(provider, "not-the-secret", body)
        )
    assert_error(response, 403, "bad_signature")
    assert_nothing_changed(repository, callbacks)


@pytest.mark.parametrize("provider", ["github", "gitea"])
def test_a_signature_for_another_body_is_refused(
    client, repository, provider, django_capture_on_commit_callbacks
):
    body = push_payload(provider)
    other = push_payload(provider, ref="refs/heads/feature")
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(
            client, provider, repository, body, signed(provider, repository.hook_secret, other)
        )
    assert_error(response, 403, "bad_signature")
    assert_nothing_changed(repository, callbacks)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_signature_off_by_its_last_character_is_refused(
    client, repository, provider, django_capture_on_commit_callbacks
):
    body = push_payload(provider)
    headers = signed(provider, repository.hook_secret, body)
    good = headers[SIGNATURE_HEADER[provider]]
    headers[SIGNATURE_HEADER[provider]] = good[:-1] + ("0" if good[-1] != "0" else "1")
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, provider, repository, body, headers)
    assert_error(response, 403)
    assert_nothing_changed(repository, callbacks)


@pytest.mark.parametrize(
    ("provider", "value"),
    [
        ("github", "sha1=0123456789abcdef0123456789abcdef01234567"),  # the legacy scheme
        ("github", "{hex}"),  # the right digest without its "sha256=" prefix
        ("gitlab", "{prefix}"),  # a prefix of the secret
        ("gitlab", "gëheim-tökën"),  # not ASCII: a mismatch, not a server error
        ("gitea", "sha256={hex}"),  # Gitea sends bare hex
    ],
)
def test_near_miss_signatures_are_refused(
    client, repository, provider, value, django_capture_on_commit_callbacks
):
    body = push_payload(provider)
    digest = hmac.new(repository.hook_secret.encode(), body, hashlib.sha256).hexdigest()
    value = value.format(hex=digest, prefix=repository.hook_secret[:10])
    headers = signed(provider, repository.hook_secret, body)
    headers[SIGNATURE_HEADER[provider]] = value
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, provider, repository, body, headers)
    assert_error(response, 403, "bad_signature")
    assert_nothing_changed(repository, callbacks)


def test_a_repository_without_a_secret_accepts_nothing(
    client, product, django_capture_on_commit_callbacks
):
    repository = Repository.objects.create(product=product, url="/x", hook_secret="")
    body = push_payload("gitlab")
    headers = signed("gitlab", "", body)
    headers["X-Gitlab-Token"] = " "  # stripped to nothing would be "unsigned"; any token fails
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, "gitlab", repository, body, headers)
    assert response.status_code in (401, 403)
    assert_nothing_changed(repository, callbacks)
    body = push_payload("github")
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, "github", repository, body, signed("github", "", body))
    assert_error(response, 403, "bad_signature")
    assert_nothing_changed(repository, callbacks)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("body", [b'{"ref": "refs/heads/main", ', b"\xff\xfe", b"[1, 2]", b""])
def test_malformed_json_is_refused_with_400(
    client, repository, provider, body, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(
            client, provider, repository, body, signed(provider, repository.hook_secret, body)
        )
    assert_error(response, 400, "malformed")
    assert response.json()["errors"][0]["field"] == "body"
    assert_nothing_changed(repository, callbacks)


def test_a_ref_that_is_not_a_string_is_refused(
    client, repository, django_capture_on_commit_callbacks
):
    body = json.dumps({"ref": ["refs/heads/main"], "after": AFTER}).encode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(
            client, "github", repository, body, signed("github", repository.hook_secret, body)
        )
    assert_error(response, 400, "malformed")
    assert response.json()["errors"][0]["field"] == "ref"
    assert_nothing_changed(repository, callbacks)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_oversized_body_is_refused_with_413(
    client, repository, provider, django_capture_on_commit_callbacks
):
    payload = json.loads(push_payload(provider))
    payload["padding"] = "x" * hooks.MAX_BODY_BYTES
    body = json.dumps(payload).encode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(
            client, provider, repository, body, signed(provider, repository.hook_secret, body)
        )
    assert_error(response, 413, "too_large")
    assert_nothing_changed(repository, callbacks)


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    client, repository, django_capture_on_commit_callbacks
):
    body = push_payload("github")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            url("github", repository.pk),
            body,
            content_type="application/json",
            headers=signed("github", repository.hook_secret, body),
            CONTENT_LENGTH=str(hooks.MAX_BODY_BYTES + 1),
        )
    assert_error(response, 413, "too_large")
    assert_nothing_changed(repository, callbacks)


def test_a_body_over_the_limit_is_refused_by_the_service_whatever_was_declared(repository):
    body = b" " * (hooks.MAX_BODY_BYTES + 1)
    with pytest.raises(hooks.BodyTooLarge):
        hooks.receive_push(
            provider="github",
            repository=repository,
            headers=signed("github", repository.hook_secret, body),
            body=body,
        )
    assert not HookDelivery.objects.exists()


def test_an_unknown_provider_is_404(client, repository):
    body = push_payload("github")
    response = post(
        client, "bitbucket", repository, body, signed("github", repository.hook_secret, body)
    )
    assert_error(response, 404, "not_found")


def test_an_unknown_repository_is_404(client, repository):
    body = push_payload("github")
    response = client.post(
        url("github", repository.pk + 1000),
        body,
        content_type="application/json",
        headers=signed("github", repository.hook_secret, body),
    )
    assert_error(response, 404, "not_found")
    assert not HookDelivery.objects.exists()


def test_only_post_is_allowed(client, repository):
    assert client.get(url("github", repository.pk)).status_code == 405


# -- the service ------------------------------------------------------------------------------


def test_the_service_reads_headers_in_any_case(repository, django_capture_on_commit_callbacks):
    body = push_payload("gitea")
    headers = {k.lower(): v for k, v in signed("gitea", repository.hook_secret, body).items()}
    with django_capture_on_commit_callbacks() as callbacks:
        delivery = hooks.receive_push(
            provider="gitea", repository=repository, headers=headers, body=body
        )
    assert delivery.pk and delivery.outcome == hooks.Outcome.SCHEDULED
    assert len(callbacks) == 1


def test_the_service_refuses_with_domain_errors(repository):
    body = push_payload("github")
    with pytest.raises(Unsigned):
        hooks.receive_push(provider="github", repository=repository, headers={}, body=body)
    with pytest.raises(BadSignature):
        hooks.receive_push(
            provider="github",
            repository=repository,
            headers=signed("github", "wrong", body),
            body=body,
        )
    with pytest.raises(DomainError):
        hooks.receive_push(provider="svn", repository=repository, headers={}, body=body)
    assert not HookDelivery.objects.exists()


# --- Replays: the same signed body under a new delivery id ------------------------------------
# Within DEELBAAR_HOOK_REPLAY_WINDOW it is acknowledged (200 "already received") and starts no
# sync; digests older than the window are pruned, after which the body counts again.


@pytest.mark.django_db
@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_replay_with_a_new_delivery_id_is_ignored(
    client, repository, provider, django_capture_on_commit_callbacks
):
    body = push_payload(provider)
    with django_capture_on_commit_callbacks() as callbacks:
        first = post(
            client, provider, repository, body, signed(provider, repository.hook_secret, body)
        )
        replay = post(
            client,
            provider,
            repository,
            body,
            signed(provider, repository.hook_secret, body, delivery="a-brand-new-id"),
        )

    assert first.status_code == 202
    assert replay.status_code == 200
    assert replay.json()["status"] == "already received"
    # Git hosts send no Accept-Language: the answer is in the site's language, Dutch.
    assert "ander afleverings-id" in replay.json()["detail"]
    assert len(callbacks) == 1  # one sync scheduled, by the first
    assert HookDelivery.objects.count() == 1
    assert HookBodyDigest.objects.count() == 1


@pytest.mark.django_db
def test_another_push_still_counts(client, repository, django_capture_on_commit_callbacks):
    first = push_payload("github")
    other = first.replace(b"28e1879d", b"38e1879d")
    with django_capture_on_commit_callbacks() as callbacks:
        for body in (first, other):
            response = post(
                client, "github", repository, body, signed("github", repository.hook_secret, body)
            )
            assert response.status_code == 202
    assert len(callbacks) == 2


@pytest.mark.django_db
def test_digests_older_than_the_window_are_pruned(
    client, repository, settings, django_capture_on_commit_callbacks
):
    settings.DEELBAAR_HOOK_REPLAY_WINDOW = 3600
    body = push_payload("gitea")
    assert (
        post(
            client, "gitea", repository, body, signed("gitea", repository.hook_secret, body)
        ).status_code
        == 202
    )
    HookBodyDigest.objects.update(received_at=timezone.now() - timedelta(seconds=3601))

    with django_capture_on_commit_callbacks() as callbacks:
        again = post(
            client, "gitea", repository, body, signed("gitea", repository.hook_secret, body)
        )
    assert again.status_code == 202
    assert len(callbacks) == 1
    # The old digest went; the new one is the only one left.
    [digest] = HookBodyDigest.objects.all()
    assert digest.received_at > timezone.now() - timedelta(seconds=60)

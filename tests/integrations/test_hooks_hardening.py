"""Signed hooks whose JSON is hostile: refused with 400 in the API's shape, nothing written."""

import json

import pytest
from django.test import Client

from integrations.models import HookDelivery
from tests.integrations.test_hooks import post, repository, signed  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"ref": ' + b"[" * 50 + b"]" * 50 + b"}",
        json.dumps({"ref": "refs/heads/main", "pusher": {"name": "a\x00b"}}).encode(),
        json.dumps({"ref": "refs/heads/main", "size": 2**64}).encode(),
    ],
    ids=["deep", "deeper-than-32", "nul", "huge-integer"],
)
def test_a_signed_hook_with_hostile_json_is_400(repository, body):  # noqa: F811
    headers = signed("github", repository.hook_secret, body, delivery="d-1", event="push")
    response = post(Client(), "github", repository, body, headers)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "malformed"
    assert not HookDelivery.objects.exists()

"""What only separate processes can show: jobs queued by a web process run in the worker
(webhooks, repository syncs), an event caused through one web process reaches a websocket on
the other, and a web process with websockets open is healthy."""

import contextlib
import json
from pathlib import Path

import pytest
import requests
import yaml
from django.utils.timezone import localdate
from standardwebhooks.webhooks import Webhook
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.production import repos
from tests.production.receiver import Receiver
from tests.production.stack import wait_until

COOPERATIVE = "zuidoost-brabant"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def receiver(certificate):
    running = Receiver(*certificate)
    yield running
    running.close()


def product_id(api, name="Subsidiesysteem") -> int:
    products = api.get("/api/v1/products/", params={"page_size": 100})["results"]
    return next(p["id"] for p in products if p["name"] == name)


def test_a_webhook_subscription_receives_a_signed_delivery_from_the_worker(stack, receiver):
    coordinator = stack.api("coordinator", web=0)
    subscription = coordinator.post(
        "/api/v1/webhooks/",
        {"cooperative": COOPERATIVE, "url": receiver.url(), "events": ["membership.activated"]},
        expect=201,
    )
    # Woerden applied in the demo: approved and paid through the other web process.
    on_b = coordinator.on(1)
    memberships = on_b.get(
        f"/api/v1/cooperatives/{COOPERATIVE}/memberships/",
        params={"state": "applied", "page_size": 100},
    )["results"]
    woerden = next(m for m in memberships if m["organisation"]["name"] == "Woerden")
    path = f"/api/v1/cooperatives/{COOPERATIVE}/memberships/{woerden['id']}"
    approved = on_b.post(f"{path}/approve/")
    on_b.post(
        f"{path}/record-payment/",
        {"amount": approved["contribution_due"], "paid_on": localdate().isoformat()},
    )

    assert receiver.arrived.wait(30), (
        f"no delivery reached the receiver within 30 s\n{stack.log_tails()}"
    )
    [request] = receiver.requests
    payload = Webhook(subscription["secret"]).verify(request["body"], request["headers"])
    assert payload["type"] == "membership.activated"
    assert json.loads(request["body"]) == payload
    assert request["path"] == "/hooks/deelbaar"

    # The worker recorded the delivery as delivered, with the receiver's answer.
    deliveries = wait_until(
        lambda: [
            d
            for d in coordinator.get(f"/api/v1/webhooks/{subscription['id']}/deliveries/")[
                "results"
            ]
            if d["state"] == "delivered"
        ],
        timeout=15,
        what="the delivery recorded as delivered",
        stack=stack,
    )
    assert [(d["attempts"], d["last_status_code"]) for d in deliveries] == [(1, 204)]
    assert deliveries[0]["message_id"] == request["headers"]["webhook-id"]


def test_a_repository_sync_runs_in_the_worker_and_imports_its_commits(stack, tmp_path):
    owner = stack.api("producteigenaar", web=1)
    product = product_id(owner)
    work = repos.repository(tmp_path / "work")
    shas = [repos.commit(work, f"SUB-1: step {n}") for n in range(3)]
    shas += [repos.commit(work, "Unrelated tidying")]
    repository = owner.post(
        "/api/v1/repositories/", {"product": product, "url": str(work)}, expect=201
    )

    done = wait_until(
        lambda: (
            (r := owner.get(f"/api/v1/repositories/{repository['id']}/"))["state"]
            in ("synced", "failed")
            and r
        ),
        timeout=60,
        what="the sync to end",
        stack=stack,
    )
    assert done["state"] == "synced", done["state_message"]
    assert done["head_sha"] == shas[-1]
    commits = owner.get(
        f"/api/v1/repositories/{repository['id']}/commits/", params={"page_size": 100}
    )
    assert commits["count"] == 4
    assert {c["sha"] for c in commits["results"]} == set(shas)
    linked = [c for c in commits["results"] if c["items"]]
    assert {c["sha"] for c in linked} == set(shas[:3])
    assert {i["reference"] for c in linked for i in c["items"]} == {"SUB-1"}


def test_a_websocket_on_one_process_receives_a_move_made_through_the_other(stack):
    owner = stack.api("producteigenaar", web=1)
    product = product_id(owner)
    cookie = stack.session_cookie("producteigenaar", web=0)
    backlog = owner.get(f"/api/v1/products/{product}/backlog/", params={"page_size": 5})
    item = backlog["results"][-1]

    with connect(
        stack.ws_url(0, f"/ws/products/{product}/"),
        origin=stack.origin(0),
        additional_headers={"Cookie": cookie},
        open_timeout=10,
    ) as socket:
        # Joined once the socket answers: the group membership is in Redis by then.
        socket.send(json.dumps({"type": "ping"}))
        assert json.loads(socket.recv(timeout=10)) == {"type": "pong"}

        owner.post(f"/api/v1/products/{product}/backlog/move/", {"item": item["id"], "to": "top"})

        event = json.loads(socket.recv(timeout=10))
        while event["type"] != "item.moved":
            event = json.loads(socket.recv(timeout=10))
    assert event["data"]["id"] == item["id"]
    assert event["data"]["reference"] == item["reference"]


def test_a_websocket_without_a_session_or_from_another_origin_is_refused(stack):
    owner = stack.api("producteigenaar", web=1)
    product = product_id(owner)
    cookie = stack.session_cookie("producteigenaar", web=1)
    url = stack.ws_url(0, f"/ws/products/{product}/")

    # Refused before the handshake completes (the consumer closes before accepting).
    with pytest.raises(InvalidStatus, match="403"):
        connect(url, origin=stack.origin(0), open_timeout=10)
    with pytest.raises(InvalidStatus, match="403"):
        connect(
            url,
            origin="http://evil.example",
            additional_headers={"Cookie": cookie},
            open_timeout=10,
        )


def test_healthz_is_200_on_a_process_with_websockets_open(stack):
    cookie = stack.session_cookie("producteigenaar", web=0)
    with contextlib.ExitStack() as sockets:
        for _ in range(3):
            socket = sockets.enter_context(
                connect(
                    stack.ws_url(0, "/ws/notifications/"),
                    origin=stack.origin(0),
                    additional_headers={"Cookie": cookie},
                    open_timeout=10,
                )
            )
            socket.send(json.dumps({"type": "ping"}))
            assert json.loads(socket.recv(timeout=10)) == {"type": "pong"}
        answers = [requests.get(stack.url(0, "/healthz"), timeout=10) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5, answers[-1].text


def test_the_processes_run_the_commands_of_docker_compose(stack):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert [Path(stack.worker.command[0]).name, *stack.worker.command[1:]] == compose["worker"][
        "command"
    ]
    web = " ".join(compose["web"]["command"][-1].split())
    # The same, but on the loopback and a free port.
    served = (
        " ".join(stack.webs[0].command[1:])
        .replace("--host 127.0.0.1", "--host 0.0.0.0")
        .replace(f"--port {stack.ports[0]}", "--port 8000")
    )
    assert f"exec uvicorn {served}".replace("=*", "='*'") in web
    # Beat runs inside the worker, for the webhook retry sweep.
    assert "beat: Starting..." in stack.worker.log()

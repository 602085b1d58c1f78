"""A client generated from the schema works: the contract is good enough to build on.

openapi-python-client (a maintained generator) writes a typed Python package from
`/api/v1/schema/`; this test imports it and drives a short flow against the live server with
the demo loaded: sign in for a token, search the catalogue, add an item to the backlog, move
it to the top, plan it into a sprint and build it, deliver it as an increment for acceptance,
and read a stale edit's refusal as the typed 412 body with the item as it is now. If the
generator cannot read the schema, or a response does not parse into its model, this fails.
"""

import importlib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.utils.timezone import localdate

SCHEMA_URL = "/api/v1/schema/?format=json"
GENERATOR = str(Path(sys.executable).parent / "openapi-python-client")
PASSWORD = "deelbaar-demo"


@pytest.fixture
def client_package(demo_url, tmp_path):
    """The generated package, importable as `deelbaar_client` for the length of the test."""
    schema = tmp_path / "openapi.json"
    schema.write_bytes(httpx.get(f"{demo_url}{SCHEMA_URL}", timeout=30).raise_for_status().content)
    config = tmp_path / "generator.yaml"
    # No post hooks: formatting the generated code is not what is tested.
    config.write_text("post_hooks: []\npackage_name_override: deelbaar_client\n")
    result = subprocess.run(
        [
            GENERATOR,
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "deelbaar_client"),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The generator skips what it cannot type, and says so; only the YAML bodies of the
    # publiccode.yml import and validation are expected (their JSON and multipart forms stay).
    skipped = [line for line in result.stdout.splitlines() if line.startswith("WARNING")]
    assert all(
        "POST /api/v1/solutions/import" in line or "POST /api/v1/publiccode/validate/" in line
        for line in skipped
    ), result.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("deelbaar_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.split(".")[0] == "deelbaar_client"]:
            del sys.modules[name]


def test_a_generated_client_runs_the_sprint_flow(client_package, demo_url):
    from deelbaar_client import AuthenticatedClient, Client
    from deelbaar_client.api.auth import auth_token_create
    from deelbaar_client.api.increments import increments_create, increments_submit_create
    from deelbaar_client.api.items import items_partial_update, items_status_create
    from deelbaar_client.api.products import (
        products_backlog_create,
        products_backlog_list,
        products_backlog_move_create,
        products_list,
        products_sprints_create,
    )
    from deelbaar_client.api.solutions import solutions_list
    from deelbaar_client.api.sprints import sprints_commit_create, sprints_start_create
    from deelbaar_client.models import (
        AuthTokenRequest,
        BoardStatusEnum,
        CataloguePage,
        CommitRequest,
        Error,
        EstimateEnum,
        IncrementInputRequest,
        IncrementStateEnum,
        ItemInputRequest,
        ItemStale,
        ItemStatusRequest,
        MoveRequest,
        PatchedItemChangeRequest,
        SprintPlanRequest,
        SprintStateEnum,
        SubmitRequest,
        ToEnum,
    )

    anonymous = Client(base_url=demo_url, raise_on_unexpected_status=True)

    def sign_in(username):
        token = auth_token_create.sync(
            client=anonymous, body=AuthTokenRequest(username=username, password=PASSWORD)
        )
        assert not isinstance(token, Error), token
        return AuthenticatedClient(
            base_url=demo_url, token=token.token, prefix="Token", raise_on_unexpected_status=True
        )

    wrong = auth_token_create.sync(
        client=anonymous, body=AuthTokenRequest(username="producteigenaar", password="fout")
    )
    assert isinstance(wrong, Error) and wrong.status == 401
    assert wrong.code == "authentication_failed"
    owner = sign_in("producteigenaar")
    developer = sign_in("ontwikkelaar")

    # The public catalogue: one page object with its facets, anonymously.
    page = solutions_list.sync(client=anonymous, q="subsidie")
    assert isinstance(page, CataloguePage)
    assert "subsidiesysteem" in [solution.slug for solution in page.results]

    product = next(p for p in products_list.sync(client=owner).results if p.key == "SUB")
    item = products_backlog_create.sync(
        product.id,
        client=owner,
        body=ItemInputRequest(
            title="Aanvraag intrekken",
            acceptance_criteria=["Een aanvrager trekt een ingediende aanvraag in"],
            estimate=EstimateEnum.VALUE_3,
        ),
    )
    assert not isinstance(item, Error), item
    assert item.ready and item.reference.startswith("SUB-")
    moved = products_backlog_move_create.sync(
        product.id, client=owner, body=MoveRequest(item=item.id, to=ToEnum.TOP)
    )
    assert not isinstance(moved, Error), moved
    backlog = products_backlog_list.sync(product.id, client=owner)
    assert backlog.results[0].id == item.id

    # A stale edit: the second writer's version is behind; the typed 412 says what is current.
    edited = items_partial_update.sync(
        item.id,
        client=owner,
        body=PatchedItemChangeRequest(title="Een aanvraag intrekken"),
        if_match=f'"{item.version}"',
    )
    assert edited.version == item.version + 1
    stale = items_partial_update.sync(
        item.id,
        client=developer,
        body=PatchedItemChangeRequest(description="Ook na de beslissing?"),
        if_match=f'"{item.version}"',
    )
    assert isinstance(stale, ItemStale), stale
    assert stale.status == 412 and stale.code == "stale"
    assert stale.current.title == "Een aanvraag intrekken"
    assert stale.current.version == edited.version

    # Plan it into a sprint, build it, and deliver it for acceptance.
    sprint = products_sprints_create.sync(
        product.id, client=owner, body=SprintPlanRequest(start=localdate(), goal="Intrekken")
    )
    assert not isinstance(sprint, Error), sprint
    committed = sprints_commit_create.sync(
        sprint.id, client=owner, body=CommitRequest(items=[item.id])
    )
    assert not isinstance(committed, Error), committed
    started = sprints_start_create.sync(sprint.id, client=owner)
    assert started.state == SprintStateEnum.ACTIVE
    for status in (BoardStatusEnum.IN_PROGRESS, BoardStatusEnum.DONE):
        moved = items_status_create.sync(
            item.id, client=developer, body=ItemStatusRequest(status=status)
        )
        assert not isinstance(moved, Error), moved
    increment = increments_create.sync(
        client=developer,
        body=IncrementInputRequest(
            product=product.id, version="0.5.0", items=[item.id], sprint=sprint.id
        ),
    )
    assert not isinstance(increment, Error), increment
    submitted = increments_submit_create.sync(
        increment.id,
        client=developer,
        body=SubmitRequest(deadline=localdate() + timedelta(days=5)),
    )
    assert not isinstance(submitted, Error), submitted
    assert submitted.state == IncrementStateEnum.SUBMITTED

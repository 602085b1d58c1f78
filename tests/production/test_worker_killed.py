"""A worker killed in the middle of a big sync (SIGKILL to it and its children, as when its
container is killed): once a worker runs again, the sync finishes by itself within a bounded
time, with every commit imported exactly once and the final count saying what was new."""

import signal

from tests.production import repos
from tests.production.stack import wait_until

COMMITS = 20_000
# The lease (10 s in the stack, see conftest.py) expires, beat's sweep (every 5 s) queues the
# sync again and the restarted worker imports the rest: well within this.
RECOVERY_SECONDS = 90


def test_a_sync_killed_midway_finishes_after_the_worker_restarts(stack, tmp_path):
    work = repos.repository(tmp_path / "big")
    repos.many(work, COMMITS, message="Change {n} for SUB-1")
    shas = set(repos.shas(work))
    head = repos.git(work, "rev-parse", "main")
    assert len(shas) == COMMITS

    owner = stack.api("producteigenaar", web=0)
    products = owner.get("/api/v1/products/", params={"page_size": 100})["results"]
    product = next(p["id"] for p in products if p["name"] == "Subsidiesysteem")
    repository = owner.post(
        "/api/v1/repositories/", {"product": product, "url": str(work)}, expect=201
    )["id"]

    def progress():
        [(state, done)] = stack.query(
            "SELECT state, progress_done FROM integrations_repository WHERE id = %s",
            (repository,),
        )
        return state, done

    # Kill it between two batches of the import: some commits are in, most are not.
    wait_until(
        lambda: (now := progress())[0] == "syncing" and now[1] > 0,
        timeout=90,
        interval=0.01,
        what="the import under way",
        stack=stack,
    )
    stack.worker.signal(signal.SIGKILL)
    stack.worker.popen.wait(timeout=10)
    [(imported_before,)] = stack.query(
        "SELECT count(*) FROM integrations_commit WHERE repository_id = %s", (repository,)
    )
    state, _done = progress()
    assert state == "syncing", "the sync ended before the worker was killed"
    assert 0 < imported_before < COMMITS

    stack.start_worker()
    stack.wait_for_worker()
    wait_until(
        lambda: progress()[0] in ("synced", "failed"),
        timeout=RECOVERY_SECONDS,
        interval=0.5,
        what="the killed sync finished by the restarted worker",
        stack=stack,
    )

    [(state, message, head_sha)] = stack.query(
        "SELECT state, state_message, head_sha FROM integrations_repository WHERE id = %s",
        (repository,),
    )
    assert state == "synced", message
    assert head_sha == head
    rows = [
        sha
        for (sha,) in stack.query(
            "SELECT sha FROM integrations_commit WHERE repository_id = %s", (repository,)
        )
    ]
    assert len(rows) == COMMITS  # no duplicate
    assert set(rows) == shas  # none missing
    # Counted from what was inserted after the restart, not from what the branch holds.
    assert f" {COMMITS - imported_before} " in f" {message} ", message

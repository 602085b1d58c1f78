"""The load test's short version (`make load` runs the long one): simulated product owners,
developers, testers and visitors (tests/load/locustfile.py) for LOAD_SECONDS (30) against the
two web processes and the worker. Fails on any failed request or an overall p95 over 250 ms."""

import os

from tests.load.run import prepare, run_locust

SECONDS = int(os.environ.get("LOAD_SECONDS", 30))
USERS = int(os.environ.get("LOAD_USERS", 30))
MAX_P95_MS = 250


def test_the_stack_serves_its_people_without_errors_within_the_budget(stack, tmp_path):
    prepare(stack, items=200)
    summary = run_locust(stack, tmp_path, seconds=SECONDS, users=USERS)

    assert summary["requests"] > SECONDS, "hardly any requests were made"
    assert summary["failures"] == 0, summary["failed"]
    assert summary["p95"] <= MAX_P95_MS, summary

"""`make load`: Deelbaar under load, as it runs in production.

Starts the production stack of tests/production/stack.py on a database of its own
(`<DATABASE_URL's name>_load`: two uvicorn processes and a `celery worker --beat` on PostgreSQL
and Redis, DEBUG off), loads the demo and a generated backlog, logs the demo's people in, runs
tests/load/locustfile.py headless with Locust, prints throughput, p50/p95/p99 and errors per
request and in all, and stops everything. Exits 1 on any failed request, or when the overall
p95 is over --max-p95 (CI: 250 ms).

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python tests/load/run.py \
        --seconds 300 --users 30 [--max-p95 250]
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.production.stack import BIN, Stack  # noqa: E402

PEOPLE = {"developer": "ontwikkelaar", "tester": "tester", "product_owner": "producteigenaar"}


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS", 300)))
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", 30)))
    parser.add_argument("--items", type=int, default=500, help="generated backlog items")
    parser.add_argument("--max-p95", type=float, default=None, help="fail above this, in ms")
    return parser.parse_args()


def credentials(stack: Stack) -> dict:
    return {
        role: {"token": stack.token(username), "cookie": stack.session_cookie(username)}
        for role, username in PEOPLE.items()
    }


def read_stats(path: Path) -> list[dict]:
    with path.open() as rows:
        return list(csv.DictReader(rows))


def report(rows: list[dict], seconds: int, users: int) -> dict:
    width = max(len(r["Name"]) + len(r["Type"]) for r in rows) + 1
    header = f"{'request':<{width}} {'count':>7} {'fail':>5} {'p50':>5} {'p95':>5} {'p99':>5}"
    print(f"\nLoad: {users} simulated people for {seconds} s on 2 web processes and a worker")
    print(header)
    print("-" * len(header))
    total = None
    for row in rows:
        name = f"{row['Type']} {row['Name']}".strip()
        print(
            f"{name:<{width}} {row['Request Count']:>7} {row['Failure Count']:>5} "
            f"{row['50%']:>5} {row['95%']:>5} {row['99%']:>5}"
        )
        if row["Name"] == "Aggregated":
            total = row
    summary = {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "throughput": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
    }
    print(
        f"\nIn all: {summary['requests']} requests, {summary['throughput']:.1f} per second, "
        f"{summary['failures']} failed; p50 {summary['p50']:.0f} ms, p95 {summary['p95']:.0f} ms, "
        f"p99 {summary['p99']:.0f} ms"
    )
    return summary


def prepare(stack: Stack, items: int) -> None:
    """Generated data on top of the demo (see seed.py)."""
    seed = [sys.executable, str(ROOT / "tests/load/seed.py"), "Subsidiesysteem", str(items)]
    subprocess.run(seed, env=stack.env, check=True, timeout=600, capture_output=True)


def run_locust(stack: Stack, workdir: Path, *, seconds: int, users: int) -> dict:
    """Locust headless against the stack's web processes; the summary (see `report()`), with
    the failures listed under "failed"."""
    env = {
        **os.environ,
        "LOAD_CREDENTIALS": json.dumps(credentials(stack)),
        "LOAD_HOSTS": ",".join(stack.url(n, "") for n in range(len(stack.webs))),
    }
    prefix = workdir / "locust"
    log = workdir / "locust.log"
    print(f"Running {users} people for {seconds} s ...", flush=True)
    with log.open("w") as output:
        locust = subprocess.run(
            [
                str(BIN / "locust"),
                "--locustfile",
                str(ROOT / "tests/load/locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(max(1, users // 5)),
                "--run-time",
                f"{seconds}s",
                # Measured once everyone has arrived: the first reads of each person excluded.
                "--reset-stats",
                "--stop-timeout",
                "5",
                "--only-summary",
                "--csv",
                str(prefix),
            ],
            env=env,
            cwd=workdir,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=seconds + 120,
        )
    # Locust exits 1 when a request failed (reported below), anything else is its own trouble.
    if locust.returncode not in (0, 1) or not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError(f"locust exited with {locust.returncode}:\n{log.read_text()[-3000:]}")
    summary = report(read_stats(Path(f"{prefix}_stats.csv")), seconds, users)
    summary["failed"] = [
        f"{f['Method']} {f['Name']}: {f['Error']} ({f['Occurrences']}x)"
        for f in read_stats(Path(f"{prefix}_failures.csv"))
    ]
    for failure in summary["failed"]:
        print(f"  failed: {failure}")
    return summary


def main() -> int:
    options = arguments()
    with tempfile.TemporaryDirectory(prefix="deelbaar-load-") as folder:
        workdir = Path(folder)
        stack = Stack(workdir, webs=2, suffix="_load", extra_env={"LOG_LEVEL": "WARNING"})
        try:
            print("Starting the stack, loading the demo and generated data ...", flush=True)
            stack.start()
            prepare(stack, options.items)
            summary = run_locust(stack, workdir, seconds=options.seconds, users=options.users)
        finally:
            stack.stop()
    ok = True
    if summary["failures"]:
        print(f"FAILED: {summary['failures']} requests failed")
        ok = False
    if options.max_p95 is not None and summary["p95"] > options.max_p95:
        print(f"FAILED: p95 {summary['p95']:.0f} ms is over the budget of {options.max_p95:.0f} ms")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

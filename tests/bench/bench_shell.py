"""Times the page shell and the API's fixed endpoints through the full Django stack.

Prints median and 95th percentile per endpoint; budgets are noted beside each. Runs on a
fresh embedded database in a temporary folder unless DATABASE_URL is set.
"""

import os
import statistics
import sys
import tempfile
import time

BUDGETS_MS = {"/": 10, "/healthz": 10, "/api/v1/schema/": 200, "/accounts/login/": 10}
ROUNDS = {"/": 200, "/healthz": 200, "/api/v1/schema/": 20, "/accounts/login/": 200}


def main() -> int:
    os.environ.setdefault("DEELBAAR_DATA_DIR", tempfile.mkdtemp(prefix="deelbaar-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deelbaar.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    client = Client()
    over = []
    print(f"{'endpoint':<22}{'rounds':>8}{'median ms':>12}{'p95 ms':>10}{'budget':>9}")
    for path, rounds in ROUNDS.items():
        client.get(path)  # warm caches (templates, schema generation imports)
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        median = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{path:<22}{rounds:>8}{median:>12.2f}{p95:>10.2f}{BUDGETS_MS[path]:>9}")
        if median > BUDGETS_MS[path]:
            over.append(path)
    if over:
        print("over budget:", ", ".join(over))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

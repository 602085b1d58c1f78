"""The API does what its OpenAPI schema says, checked by Schemathesis with every check.

A bounded, deterministic run (the same cases every time) over every operation of
`/api/v1/schema/`, as anonymous, as a product owner and as a coordinator, against the real
ASGI app over HTTP, loaded with the demo (so ids and slugs in paths often exist and requests
get past the lookups). Schemathesis runs as its own process (its CLI), exactly as an
integrator would run it, with `--checks all` and the examples, coverage and fuzzing phases;
0 failures is the bar.

What is configured, and why (nothing else is excluded):
- Phases: the stateful phase needs OpenAPI links, which the schema does not declare. The
  examples and fuzzing phases run for every role; the coverage phase (every boundary and
  every wrong type of every parameter and field, some 4,000 requests) runs once, as the
  coordinator, the role that reaches the most operations: its cases come from the schema, not
  from the role, and running it three times would triple the time of the run for little.
- `generation.allow-x00 = false`: no text may hold a NUL character (PostgreSQL cannot store
  it), so every request with one is refused with 400 by design; a schema cannot say "no NUL"
  for every string short of a pattern on each. Their refusal is tested in tests/deelbaar.
- `positive_data_acceptance` also accepts 400 on operations with a request body, on the
  token and on the catalogue: a body names other objects (an organisation's id, a
  cooperative's slug, items of the product, the release to adopt) and must follow rules across
  fields and against what is stored (a semantic version greater than the last, a licence
  expression, a host on the allow-list; a wrong password is a 401, which the schema declares);
  a schema can type those values but not list the ones that exist, so a schema-valid request
  may still be refused, with 400 naming the field. The catalogue, the releases and the
  increments refuse a filter value that names no cooperative, developer, solution or product
  the same way.
- Accepting an invitation may also answer 410: its token is a single-use secret from a mail,
  and one never handed out, used, withdrawn or expired is gone, as the schema says; a schema
  can type a token but cannot know a live one.
- Writes may also answer 412: on those with `If-Match`, a schema-valid version that is not the
  current one is stale, as the schema says; it cannot know which version is current. (A 412
  anywhere else would still fail, as a status the schema does not declare.)
"""

import subprocess
import sys
from pathlib import Path

from tests.contract.conftest import token_for

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
EXAMPLES = 5

CONFIG = """
[generation]
allow-x00 = false
database = "none"
deterministic = true

[[operations]]
include-name-regex = "^GET /api/v1/(solutions|releases|increments)/$"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx",
]

[[operations]]
include-name-regex = "^POST /api/v1/invitations/accept/$"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "3xx", "400", "401", "403", "404", "409", "410", "429", "5xx",
]

[[operations]]
include-method-regex = "^(POST|PUT|PATCH)$"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "3xx", "400", "401", "403", "404", "409", "412", "429", "5xx",
]
"""

# role -> (demo login, phases)
ROLES = {
    "anonymous": (None, "examples,fuzzing"),
    "product owner": ("producteigenaar", "examples,fuzzing"),
    "coordinator": ("coordinator", "examples,coverage,fuzzing"),
}


def run_schemathesis(
    url: str, tmp_path: Path, token: str | None, phases: str
) -> subprocess.CompletedProcess:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        SCHEMATHESIS,
        "--config-file",
        str(config),
        "run",
        f"{url}/api/v1/schema/?format=json",
        "--checks",
        "all",
        "--phases",
        phases,
        "--max-examples",
        str(EXAMPLES),
        "--workers",
        "1",
        "--no-color",
        "--output-truncate",
        "true",
    ]
    if token:
        command += ["--header", f"Authorization: Token {token}"]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=tmp_path, check=False
    )


def failures(result: subprocess.CompletedProcess) -> str:
    """The failures part of Schemathesis' report (each with its curl), or its end."""
    out = result.stdout
    start = out.find("=== FAILURES ===")
    start = out.rfind("\n", 0, start) if start > 0 else max(0, len(out) - 6000)
    return out[start : start + 12000] + result.stderr[-2000:]


def test_the_api_keeps_its_schema_for_every_role(demo_url, tmp_path):
    reports = {}
    for role, (username, phases) in ROLES.items():
        token = token_for(username) if username else None
        reports[role] = run_schemathesis(demo_url, tmp_path, token, phases)
    failed = {role: result for role, result in reports.items() if result.returncode != 0}
    assert not failed, "\n\n".join(
        f"=== as {role}: exit {result.returncode}\n{failures(result)}"
        for role, result in failed.items()
    )
    for role, result in reports.items():
        # A run that tested nothing would pass too: make sure every operation was exercised.
        assert "Tested: " in result.stdout, f"as {role}: {result.stdout[-2000:]}"

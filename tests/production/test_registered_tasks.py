"""Every job the code defines is registered in a real worker.

Celery's autodiscovery imports each app's `tasks.py` and nothing else; a job defined in another
module is known to the process that queues it (which imported that module) but not to a real
`celery -A deelbaar worker`, which drops it as "Received unregistered task". The in-process
tests cannot see that, so this starts the worker as docker-compose.yml does and asks it.

"Every job the code defines": all modules of the project's packages are imported, then every
task on the Celery app that is not Celery's own is expected in the worker.
"""

import importlib
import os
import pkgutil
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from deelbaar.celery import app as celery_app

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["deelbaar", "cooperative", "sprints", "solutions", "integrations", "notifications"]


def compose_worker_command() -> list[str]:
    """The worker's command in docker-compose.yml, without `--beat`: beat would send the
    scheduled jobs to the shared default queue of this Redis database, and has no bearing on
    which jobs the worker registers."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["worker"]["command"]
    command = shlex.split(command) if isinstance(command, str) else list(command)
    assert command[:4] == ["celery", "-A", "deelbaar", "worker"], command
    return [c for c in command if c != "--beat"]


def tasks_the_code_defines() -> set[str]:
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if ".migrations" in module.name or module.name.endswith(".__main__"):
                continue
            importlib.import_module(module.name)
    return {name for name in celery_app.tasks if not name.startswith("celery.")}


def test_the_worker_registers_every_task(tmp_path):
    expected = tasks_the_code_defines()
    assert "integrations.deliver_webhook" in expected  # the walk found the jobs
    # A queue and node name of the test's own: it takes no job of another test or engineer.
    name = f"registered-{uuid.uuid4().hex[:8]}"
    executable = Path(sys.executable).parent / "celery"
    command = [str(executable), *compose_worker_command()[1:]]
    command += ["-Q", name, "-n", f"{name}@%h", "--concurrency=1"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "deelbaar.settings",
        "DEELBAAR_DATA_DIR": str(tmp_path),
    }
    worker = subprocess.Popen(
        command,
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        registered = None
        deadline = time.monotonic() + 60
        while registered is None and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker stopped"
            answers = celery_app.control.inspect(timeout=1).registered() or {}
            registered = next((v for k, v in answers.items() if k.startswith(f"{name}@")), None)
        assert registered is not None, "the worker did not answer within 60 s"
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)

    registered = {entry.split(" ", 1)[0] for entry in registered}
    missing = expected - registered
    assert not missing, f"defined but not registered in a real worker: {sorted(missing)}"
    assert expected <= registered
    assert "unregistered task" not in output.lower()

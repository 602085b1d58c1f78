"""The layout of SPEC.md section 1: platform/ is a source root, never a package."""

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_platform_is_the_standard_library_module():
    import platform

    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(platform.__file__).resolve().parent == stdlib
    assert callable(platform.python_version)


def test_platform_folder_has_no_init():
    assert (ROOT / "platform").is_dir()
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_apps_import_from_anywhere(tmp_path):
    """The installed distribution, not the working directory, makes the apps importable."""
    code = (
        "import platform, uuid, deelbaar, cooperative, sprints, solutions, integrations;"
        "print(platform.system(), uuid.uuid4().version, deelbaar.__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1:] == ["4", "deelbaar"]


def test_every_app_is_installed(settings):
    for app in ("deelbaar", "cooperative", "sprints", "solutions", "integrations"):
        assert app in settings.INSTALLED_APPS

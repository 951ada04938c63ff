"""The layers hold (import-linter), and an upward import breaks them (issues 14 and 20)."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

CONFIG = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())["tool"][
    "importlinter"
]
PACKAGES = CONFIG["root_packages"]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def _copy(tmp_path) -> Path:
    root = Path(settings.BASE_DIR)
    for package in PACKAGES:
        shutil.copytree(
            root / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.po"),
        )
    shutil.copy(root / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(where: Path):
    return subprocess.run(
        [LINT, "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
    )


def test_the_contracts_are_kept():
    result = _lint(Path(settings.BASE_DIR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    "module,upward",
    [
        ("liaison/models.py", "import grievances.models  # noqa"),
        ("responsibility_areas/services.py", "import liaison.models  # noqa"),
        ("foundation/masking.py", "import liaison.models  # noqa"),
        ("foundation/audit.py", "import responsibility_areas.models  # noqa"),
        ("grievances/selectors.py", "import portal.views  # noqa"),
    ],
)
def test_an_upward_import_breaks_them(tmp_path, module, upward):
    copy = _copy(tmp_path)
    path = copy / module
    path.write_text(path.read_text() + f"\n{upward}\n")
    result = _lint(copy)
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout


def test_every_project_app_is_under_the_contracts():
    """A new top-level app (units, say) joins root_packages, or its optional layer would
    be skipped as missing and its imports never checked."""
    base = Path(settings.BASE_DIR).resolve()
    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base / config.name.split(".")[0])
    }
    assert ours <= set(PACKAGES), sorted(ours - set(PACKAGES))


def test_the_contracts_carry_no_exceptions_and_the_library_is_the_lowest_layer():
    contracts = CONFIG["contracts"]
    assert not [c["name"] for c in contracts if c.get("ignore_imports")]
    floors = next(c for c in contracts if c["type"] == "layers" and not c.get("containers"))
    assert floors["layers"][-1] == "foundation"
    assert floors["layers"][-2] == "responsibility_areas"

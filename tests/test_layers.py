"""The layers hold (import-linter), and an upward import breaks them (issue 14)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PACKAGES = ["portal", "evaluations", "grievances", "liaison", "responsibility_areas"]
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
        ("liaison/lib/masking.py", "import liaison.models  # noqa"),
        ("grievances/selectors.py", "import portal.views  # noqa"),
    ],
)
def test_an_upward_import_breaks_them(tmp_path, module, upward):
    copy = _copy(tmp_path)
    path = copy / module
    path.write_text(path.read_text() + f"\n{upward}\n")
    result = _lint(copy)
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout

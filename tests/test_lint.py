"""The whole tree, tests included, passes ruff's lint and format checks; mypy passes."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    return subprocess.run([ruff, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check():
    done = _ruff("check", "--quiet", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format():
    done = _ruff("format", "--check", "--quiet", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_on_the_generic_packages():
    """``autogen_filters`` and ``rewriters`` type-check strictly (``[tool.mypy]``)."""
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr

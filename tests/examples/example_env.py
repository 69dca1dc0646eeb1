"""A virtualenv holding only the two generic packages and the example's own driver.

``pip install ./rewriters ./autogen_filters -r examples/inventory/requirements.txt`` into a
fresh virtualenv, cached in pytest's cache folder under a key made of the hashes of every
file of those packages, so repeated runs reuse it and any change builds a new one (in
place of the old). A marker
written last says the build completed: a killed build is removed and made again.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("rewriters", "autogen_filters")
EXAMPLE = ROOT / "examples" / "inventory"
REQUIREMENTS = EXAMPLE / "requirements.txt"
_COMPLETE = ".complete"
#: The generic baseline command (``pycds-autogen-baseline`` is pycds's alias of it).
BASELINE = "autogen-baseline"


def _key() -> str:
    digest = hashlib.sha256()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path):
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    digest.update(REQUIREMENTS.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def build(cache: Path) -> Path:
    """The ``bin`` folder of the cached virtualenv for the current sources (built if missing)."""
    target = cache / f"venv-{_key()}"
    if (target / _COMPLETE).exists():
        return target / "bin"
    for stale in cache.glob("venv-*"):  # built from older sources
        shutil.rmtree(stale, ignore_errors=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    # pip builds from a copy: the working tree gets no build/ or .egg-info folders.
    sources = cache / f"{target.name}.sources"
    shutil.rmtree(sources, ignore_errors=True)
    for package in PACKAGES:
        ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
        shutil.copytree(ROOT / package, sources / package, ignore=ignore)
    command = [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    command += [str(sources / package) for package in PACKAGES]
    command += ["-r", str(REQUIREMENTS)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    finally:
        shutil.rmtree(sources, ignore_errors=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip install failed:\n{done.stdout}\n{done.stderr}")
    (target / _COMPLETE).write_text(" ".join(command[5:]) + "\n")
    return target / "bin"

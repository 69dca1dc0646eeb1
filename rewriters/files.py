"""Reading and writing migration files without disturbing them.

Encoding (PEP 263 cookie or BOM) and line endings are kept because the text is decoded and
re-encoded as-is (no newline translation); writes go to a temporary file in the same directory
that gets the original file mode and then replaces the file atomically.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import tokenize
from collections.abc import Iterable, Iterator
from pathlib import Path


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) following Python's source-encoding rules."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def read_source(path: Path) -> tuple[str, str]:
    """Read and decode a Python source file."""
    return decode(path.read_bytes())


def write_atomic(path: Path, text: str, encoding: str) -> None:
    """Replace ``path`` with ``text`` atomically, keeping its mode (follows symlinks)."""
    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(target.stat().st_mode)
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(text.encode(encoding))
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def iter_python_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given; directories recurse into ``*.py`` (hidden and cache dirs skipped)."""
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*.py")):
                relative = candidate.relative_to(path).parts
                if any(part.startswith(".") or part == "__pycache__" for part in relative[:-1]):
                    continue
                if candidate.is_file():
                    yield candidate
        else:
            yield path

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
from typing import NamedTuple


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


class Unreadable(NamedTuple):
    """A path that could not be looked at: it must be reported, never taken as clean."""

    path: Path
    reason: str


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def iter_python_files(paths: Iterable[Path]) -> Iterator[Path | Unreadable]:
    """Files as given; directories recurse into ``*.py`` (hidden and cache dirs skipped).

    Anything that cannot be listed or looked at (a directory without read or search
    permission, a file below one) comes out as :class:`Unreadable`, in path order.
    """
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError as error:
            yield Unreadable(path, _reason(error))
            continue
        if not stat.S_ISDIR(mode):
            yield path
            continue
        found: list[Path | Unreadable] = []

        def unreadable(
            error: OSError, found: list[Path | Unreadable] = found, top: Path = path
        ) -> None:
            found.append(Unreadable(Path(error.filename or top), _reason(error)))

        for folder, dirnames, filenames in os.walk(path, onerror=unreadable):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__"]
            for filename in filenames:
                if not filename.endswith(".py"):
                    continue
                candidate = Path(folder, filename)
                try:
                    if stat.S_ISREG(candidate.stat().st_mode):
                        found.append(candidate)
                except FileNotFoundError:
                    continue  # a dangling symlink is no file
                except OSError as error:
                    found.append(Unreadable(candidate, _reason(error)))
        yield from sorted(found, key=_path_of)


def _path_of(item: Path | Unreadable) -> Path:
    return item.path if isinstance(item, Unreadable) else item

"""Folders and private files of the local cluster, made so that no other user can subvert them.

When root runs ``pycds-db``, every path it touches could have been prepared by another
local user: a symbolic link planted where a folder is expected, a folder made in advance
under a predictable name, a project folder named by mistake. So this module

- never follows a symbolic link in the last component of a folder or file it uses;
- uses an existing folder only if the caller owns it, nobody else can write to it, and it
  holds nothing but what ``pycds-db`` itself puts there;
- changes the owner only of folders and files it has just created itself (``mkdtemp``,
  ``O_EXCL``), through a descriptor opened without following links;
- makes the server's folder outside the owner's one (when the server's user cannot reach
  the latter) with ``mkdtemp``: an unpredictable name, created atomically.
"""

from __future__ import annotations

import os
import pwd
import stat
import tempfile
from pathlib import Path

from pycds.localdb.errors import ClusterError

# What pycds-db keeps in its folder; anything else there means it is not ours.
OWN_NAMES = frozenset({"lock", "pgpass", "server.log", "data", "server-dir"})
INIT_PREFIX = ".init-"
# Where the server's folder goes when its user cannot reach the owner's folder.
FALLBACK_PARENT = Path("/var/tmp")
FALLBACK_PREFIX = "pycds-db-"


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _check_private(path: Path, info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise ClusterError(f"refusing {path}: it is a symbolic link")
    if not stat.S_ISDIR(info.st_mode):
        raise ClusterError(f"refusing {path}: it is not a folder")
    if info.st_uid != os.geteuid():
        raise ClusterError(
            f"refusing {path}: it belongs to {_user_name(info.st_uid)}, "
            f"not to you ({_user_name(os.geteuid())})"
        )
    if info.st_mode & 0o022:
        raise ClusterError(f"refusing {path}: other users can write to it")


def owner_folder(path: Path, mode: int) -> Path:
    """Create ``path`` with ``mode``, or check that the existing folder is a safe pycds-db one.

    An existing folder must be a real folder (not a link), owned by the caller, writable by
    nobody else, and hold only pycds-db's own files: a project folder or ``/etc`` named by
    mistake is refused, never taken over.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(path, mode)
    except FileExistsError:
        pass
    else:
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            os.fchmod(descriptor, mode)  # the umask may have removed bits
        finally:
            os.close(descriptor)
        return path
    _check_private(path, os.lstat(path))
    foreign = sorted(
        name
        for name in os.listdir(path)
        if name not in OWN_NAMES and not name.startswith(INIT_PREFIX)
    )
    if foreign:
        raise ClusterError(
            f"refusing {path}: it is not empty and not a pycds-db folder (it holds {foreign[0]!r})"
        )
    return path


def reachable_by_others(path: Path) -> bool:
    """Whether any user may traverse ``path`` and all of its parents."""
    for folder in (path, *path.parents):
        try:
            if not os.stat(folder).st_mode & 0o001:
                return False
        except FileNotFoundError:
            continue
    return True


def fallback_folder(pointer: Path) -> Path:
    """The server's folder recorded in ``pointer``, or a new one made with ``mkdtemp``.

    A recorded folder is used only if it is still a private folder of the caller's in
    ``FALLBACK_PARENT``: one that vanished and was re-created by someone else is replaced.
    """
    recorded = read_fallback(pointer)
    if recorded is not None:
        return recorded
    made = Path(tempfile.mkdtemp(prefix=FALLBACK_PREFIX, dir=FALLBACK_PARENT))
    os.chmod(made, 0o711)  # the server's user must traverse it to reach its data
    write_private_file(pointer, f"{made}\n")
    return made


def read_fallback(pointer: Path) -> Path | None:
    """The folder recorded in ``pointer`` if it is still safe to use, else None."""
    try:
        recorded = Path(pointer.read_text().strip())
    except FileNotFoundError:
        return None
    if recorded.parent != FALLBACK_PARENT or not recorded.name.startswith(FALLBACK_PREFIX):
        return None
    try:
        _check_private(recorded, os.lstat(recorded))
    except (FileNotFoundError, ClusterError):
        return None
    return recorded


def write_private_file(path: Path, text: str) -> None:
    """Replace ``path`` atomically with ``text``, readable by its owner only (0600)."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{INIT_PREFIX}{path.name}-")
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def give_new_folder(path: Path, uid: int, gid: int) -> None:
    """Hand a folder this process has just created (``mkdtemp``) to ``uid``:``gid``."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        os.fchown(descriptor, uid, gid)
    finally:
        os.close(descriptor)


def create_file_for(path: Path, text: str, uid: int, gid: int) -> None:
    """Create ``path`` (it must not exist) with ``text``, mode 0600, owned by ``uid``:``gid``."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w") as file:
        os.fchown(descriptor, uid, gid)
        file.write(text)


def rewrite_server_file(path: Path, text: str, *, uid: int, append: bool) -> None:
    """Write ``text`` into a file the server's user owns, never through a link.

    The file is checked (a plain file of ``uid``, with no other name) before anything in
    it changes.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "w") as file:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != uid or info.st_nlink != 1:
            raise ClusterError(f"refusing {path}: not a plain file of the server's user")
        if append:
            file.seek(0, os.SEEK_END)
        else:
            file.truncate(0)
        file.write(text)

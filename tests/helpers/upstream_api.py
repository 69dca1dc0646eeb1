"""The facts file ``upstream-api.md`` (upstream PyCDS 5.0.1's public names), parsed.

A missing file is an error, never a skip (see :func:`facts_dir` for where it is looked for).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def facts_dir() -> Path:
    """The facts folder: ``PYCDS_FACTS_DIR``, else ``../shared/reference`` from the repository
    root (CI), else the same from its parent (a git worktree kept one level deeper)."""
    explicit = os.environ.get("PYCDS_FACTS_DIR")
    candidates = (
        [Path(explicit)]
        if explicit
        else [ROOT.parent / "shared" / "reference", ROOT.parent.parent / "shared" / "reference"]
    )
    for folder in candidates:
        if (folder / "upstream-api.md").is_file():
            return folder
    tried = ", ".join(str(folder) for folder in candidates)
    raise FileNotFoundError(f"no upstream-api.md in {tried}: set PYCDS_FACTS_DIR")


@dataclass
class MappedClass:
    name: str
    schema: str
    table: str
    columns: set[str] = field(default_factory=set)
    relationships: set[str] = field(default_factory=set)


@dataclass
class UpstreamApi:
    top_level: list[str]
    mapped: dict[str, MappedClass]
    modules: dict[str, list[str]]


_CODE = re.compile(r"`([^`]+)`")
_SECTION = re.compile(r"^## (.+)$", re.M)
_MAPPED = re.compile(r"^- \*\*`(\w+)`\*\* → `(\w+)\.(\w+)`$")
_ATTRIBUTES = re.compile(r"^\s+- (columns|relationships): (.*)$")
_MODULE = re.compile(r"^- `([\w.]+)`: (.*)$")


def _sections(text: str) -> dict[str, str]:
    parts = _SECTION.split(text)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def parse(text: str) -> UpstreamApi:
    sections = _sections(text)
    top = next(body for title, body in sections.items() if title.startswith("Names importable"))
    mapped: dict[str, MappedClass] = {}
    current: MappedClass | None = None
    for line in sections[next(t for t in sections if t.startswith("Mapped classes"))].splitlines():
        if match := _MAPPED.match(line):
            current = mapped[match[1]] = MappedClass(match[1], match[2], match[3])
        elif (match := _ATTRIBUTES.match(line)) and current is not None:
            names = {name.strip() for name in match[2].split(",")}
            getattr(current, match[1]).update(names)
    modules = {
        match[1]: _CODE.findall(match[2])
        for line in sections["Modules"].splitlines()
        if (match := _MODULE.match(line))
    }
    return UpstreamApi(_CODE.findall(top), mapped, modules)


def load() -> UpstreamApi:
    api = parse((facts_dir() / "upstream-api.md").read_text(encoding="utf-8"))
    if not (api.top_level and api.mapped and api.modules):
        raise ValueError("upstream-api.md: a section is missing or empty")
    return api

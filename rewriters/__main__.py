"""``python -m rewriters PATH...``: same as ``pycds-rewrite`` (used by Alembic post-write hooks)."""

from rewriters.cli import main

raise SystemExit(main())

"""``python -m rewriters PATH...``: same as ``alembic-rewrite`` (for Alembic post-write hooks)."""

from rewriters.cli import main

raise SystemExit(main())

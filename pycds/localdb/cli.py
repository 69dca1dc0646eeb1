"""``pycds-db``: start, stop and inspect the project's local PostgreSQL server.

``pycds-db up`` installs what the server lacks (PostGIS, plpython3u), starts the cluster
and provisions a reference database at head: ``ref`` (plain), or with ``--like crmp``
``ref_crmp`` (the CRMP divergence overlay applied); both can exist side by side. ``up``,
``down`` and ``--fresh`` hold the cluster's lock, so concurrent runs wait their turn.
Exit status: 0 success, 2 error (one line); ``status``: 0 running, 3 not running.
"""

from __future__ import annotations

import argparse
import sys

import sqlalchemy.exc

from pycds.config import (
    ConfigurationError,
    get_schema_name,
    get_standard_table_privileges,
    get_su_role_name,
)
from pycds.localdb.cluster import Cluster, ClusterError, ensure_server_packages
from pycds.localdb.provision import (
    OVERLAYS,
    current_revision,
    provision_database,
    reference_database,
)

STATES = {
    "running": "running",
    "starting": "starting",
    "stopped": "stopped",
    "stale": "stopped (a killed server left its pid file; `pycds-db up` starts a new one)",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pycds-db", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the server and provision a reference database")
    up.add_argument(
        "--like",
        choices=sorted(OVERLAYS),
        help="provision ref_<LIKE>: the reference database with this real database's divergences",
    )
    up.add_argument("--fresh", action="store_true", help="rebuild the reference database")
    up.add_argument("--no-ref", action="store_true", help="start the server only")
    commands.add_parser("down", help="stop the server")
    commands.add_parser("status", help="say whether the server runs, and where")
    url = commands.add_parser("url", help="print the URL of a database on the server")
    url.add_argument("database", nargs="?", default=reference_database(None))
    url.add_argument(
        "--sqlalchemy", action="store_true", help="with the driver, as SQLAlchemy wants it"
    )
    return parser


def _up(cluster: Cluster, args: argparse.Namespace) -> None:
    # Bad configuration must fail before anything is installed or started.
    get_schema_name(), get_su_role_name(), get_standard_table_privileges()
    ensure_server_packages()
    with cluster.locked():
        cluster.start()
        if args.no_ref:
            print(f"pycds-db: running on {cluster.url()}")
            return
        name = reference_database(args.like)
        provision_database(cluster.url(), name, like=args.like, fresh=args.fresh)
    url = cluster.url(name)
    variant = f"like {args.like}: the overlay's divergences applied" if args.like else "plain"
    print(f"pycds-db: {name} ({variant}) at revision {current_revision(url)} (head): {url}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        cluster = Cluster.default()
        if args.command == "up":
            _up(cluster, args)
        elif args.command == "down":
            if cluster.is_legacy():  # only signals its postmaster: no folder to trust
                cluster.stop()
            else:
                with cluster.locked():
                    cluster.stop()
            print("pycds-db: stopped")
        elif args.command == "status":
            state = cluster.state()
            print(f"pycds-db: {STATES[state]}, port {cluster.port}, data in {cluster.data_dir}")
            return 0 if state == "running" else 3
        else:
            url = cluster.url(args.database)
            print(url if args.sqlalchemy else url.replace("+psycopg2", "", 1))
    except (ClusterError, ConfigurationError, ValueError, OSError) as error:
        print(f"pycds-db: error: {error}", file=sys.stderr)
        return 2
    except sqlalchemy.exc.SQLAlchemyError as error:
        message = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        print(f"pycds-db: database error: {message}", file=sys.stderr)
        return 2
    except Exception as error:  # alembic's CommandError and friends: keep it to one line
        print(f"pycds-db: error: {str(error).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Registry-driven filters that make Alembic autogenerate trustworthy on legacy databases.

Known divergences between a database and the ORM are declared as data (a TOML registry, see
``docs/divergences.md``); :class:`AutogenFilters` turns the registry into Alembic's
``include_name``, ``include_object`` and ``process_revision_directives`` hooks::

    from autogen_filters import AutogenFilters, load_registry

    filters = AutogenFilters(load_registry(path), schema="crmp", strict=False)
    filters.chain(rename_rewriter)             # more process_revision_directives hooks
    context.configure(connection=connection, target_metadata=metadata,
                      **filters.configure_options())
"""

from .hooks import REPORT_TEMPLATE_ARG, AutogenFilters, StaleRulesError
from .matching import Matcher, Subject, Suppression
from .registry import PLACEHOLDER_REASON, Registry, RegistryError, Rule, load_registry
from .report import RunReport

__all__ = [
    "PLACEHOLDER_REASON",
    "REPORT_TEMPLATE_ARG",
    "AutogenFilters",
    "Matcher",
    "Registry",
    "RegistryError",
    "Rule",
    "RunReport",
    "StaleRulesError",
    "Subject",
    "Suppression",
    "load_registry",
]

"""The error every layer of the rewriters raises for bad configuration (dependency-free)."""


class ConfigError(Exception):
    """An invalid configuration (bad TOML, unknown key, wrong type, bad dotted path)."""

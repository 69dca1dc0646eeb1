"""A small warehouse-inventory project: the example of `autogen_filters` and `rewriters` on a
project that is not pycds (see examples/inventory/README.md)."""

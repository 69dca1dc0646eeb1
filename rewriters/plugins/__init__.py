"""The rewriter plugins: one module each, defining ``PLUGIN`` (see :mod:`rewriters.plugin`).

:mod:`rewriters.registry` discovers every module of this package; adding a rewriter is one new
module here plus its test file.
"""

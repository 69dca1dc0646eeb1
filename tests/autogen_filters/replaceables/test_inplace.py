"""Which function changes CREATE OR REPLACE FUNCTION accepts (``kinds/function.py``), on shapes."""

from __future__ import annotations

import pytest

from autogen_filters.replaceables.kinds.function import FunctionShape, replaceable_in_place


def shape(result="integer", names=None, modes=None, n_args=1, n_defaults=0):
    return FunctionShape.from_row(result, n_args, names, modes, n_defaults)


@pytest.mark.parametrize(
    ("live", "new", "in_place"),
    [
        (shape(names=["x"]), shape(names=["x"]), True),
        (shape(), shape(names=["x"]), True),  # naming an unnamed parameter is allowed
        (shape(names=["x"], n_defaults=0), shape(names=["x"], n_defaults=1), True),
        (shape(names=["x"]), shape(names=["y"]), False),
        (shape(names=["x"]), shape(), False),
        (shape(names=["x"], n_defaults=1), shape(names=["x"]), False),
        (shape(), shape(result="bigint"), False),
        (shape(result="SETOF integer"), shape(result="integer"), False),
        (
            shape("record", ["x", "a"], ["i", "o"], 2),
            shape("record", ["x", "b"], ["i", "o"], 2),
            False,
        ),
        (
            shape("record", ["x", "a"], ["i", "o"], 2),
            shape("record", ["x", "a"], ["i", "b"], 2),
            False,
        ),
    ],
)
def test_replaceable_in_place(live, new, in_place):
    assert replaceable_in_place(live, new) is in_place

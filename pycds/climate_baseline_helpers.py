"""Upstream's ``pycds.climate_baseline_helpers``: load PCIC climate baselines.

Baselines are monthly climatologies per station, stored as ``DerivedValue`` rows of three
variables (``Tx_Climatology``, ``Tn_Climatology``, ``Precip_Climatology``) of the synthetic
network ``PCIC Climate Variables``. Each baseline value is dated at 23:00 on the last day of
its month in the year 2000 and attached to the station's latest history.

Input lines are fixed-width ASCII: see ``field_names`` / ``field_widths``. Temperatures are
in tenths of a degree Celsius, precipitation in mm; ``-9999`` means no value.
"""

from __future__ import annotations

import logging
import struct
from calendar import monthrange
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pycds.orm.tables import DerivedValue, History, Network, Station, Variable

logger = logging.getLogger(__name__)

pcic_climate_variable_network_name = "PCIC Climate Variables"

field_names = [
    "native_id",
    "assay_flag",
    "station_name",
    "elev",
    "elevation_flag",
    "long",
    "lat",
    *(str(month) for month in range(1, 13)),
    "annual",
]
field_widths = [8, 1, 12, 5, 1, 12, 12, *([6] * 13)]
# ``struct`` format of one line: one string field per width, separated by pad bytes.
field_format = " ".join(f"{width}s" for width in field_widths)

_BASELINE_YEAR = 2000
_BASELINE_HOUR = 23
_MISSING = "-9999"


def _variable_specs() -> list[dict[str, str]]:
    temperature = {"unit": "celsius", "standard_name": "air_temperature"}
    precipitation = {"unit": "mm", "standard_name": "lwe_thickness_of_precipitation_amount"}
    specs = [
        {
            "name": f"T{letter}_Climatology",
            **temperature,
            "cell_method": f"t: {word} within days t: mean within months t: mean over years",
            "description": f"Climatological mean of monthly mean of {word} daily temperature",
            "display_name": f"Temperature Climatology ({short})",
        }
        for letter, word, short in (("x", "maximum", "Max."), ("n", "minimum", "Min."))
    ]
    specs.append(
        {
            "name": "Precip_Climatology",
            **precipitation,
            "cell_method": "t: sum within months t: mean over years",
            "description": "Climatological mean of monthly total precipitation",
            "display_name": "Precipitation Climatology",
        }
    )
    for spec in specs:
        spec["short_name"] = f"{spec['standard_name']} {spec['cell_method']}"
    return specs


def get_or_create_pcic_climate_variables_network(
    session: Session, network_name: str = pcic_climate_variable_network_name
) -> Network:
    """The synthetic network of PCIC's derived variables, created (and flushed) if absent."""
    network = session.query(Network).filter(Network.name == network_name).first()
    if network is None:
        network = Network(
            name=network_name,
            long_name="Synthetic network for climate variables computed by PCIC",
            publish=True,
        )
        session.add(network)
        session.flush()
    return network


def get_or_create_pcic_climate_baseline_variables(session: Session) -> list[Variable]:
    """The three baseline variables of the synthetic network, created if absent."""
    network = get_or_create_pcic_climate_variables_network(session)
    variables = []
    for spec in _variable_specs():
        variable = (
            session.query(Variable)
            .filter(Variable.name == spec["name"])
            .filter(Variable.network.has(name=pcic_climate_variable_network_name))
            .first()
        )
        if variable is None:
            variable = Variable(**spec, network_id=network.id)
            session.add(variable)
        variables.append(variable)
    session.flush()
    return variables


def _parse_line(line: str) -> dict[str, str]:
    values = struct.unpack(field_format, line.rstrip("\n").encode("ascii"))
    # Fields may be padded on either side: "-9999" must be recognised right-justified too.
    return {
        name: value.decode("ascii").strip("\0 ")
        for name, value in zip(field_names, values, strict=True)
    }


def load_pcic_climate_baseline_values(
    session: Session,
    var_name: str,
    lines: Iterable[str],
    exclude: Iterable[str] = (),
    network_name: str = pcic_climate_variable_network_name,
) -> tuple[int, int, int, int, int]:
    """Load one baseline variable's values, one station per line.

    Creates the network and variables if absent; a line whose station (by ``native_id``) has
    no history is skipped, one in ``exclude`` excluded, one that cannot be parsed counted as
    errored. Returns (lines added, values added, lines errored, lines excluded, lines
    skipped). Raises ``ValueError`` if ``var_name`` is not a variable of ``network_name``.
    """
    get_or_create_pcic_climate_baseline_variables(session)
    variable = (
        session.query(Variable)
        .filter(Variable.name == var_name)
        .filter(Variable.network.has(name=network_name))
        .first()
    )
    if variable is None:
        raise ValueError(
            f"Climate variable named '{var_name}' associated with network {network_name} "
            "was not found in the database"
        )
    scale = 10.0 if var_name in ("Tx_Climatology", "Tn_Climatology") else 1.0
    excluded = set(exclude)
    added = values = errored = excluded_count = skipped = 0
    for line in lines:
        try:
            data = _parse_line(line)
        except (struct.error, UnicodeError) as error:
            logger.info("Error processing input line %r: %r", line, error)
            errored += 1
            continue
        native_id = data["native_id"].strip()
        if native_id in excluded:
            logger.info('Excluding station with native id "%s"', native_id)
            excluded_count += 1
            continue
        latest = (
            session.query(History)
            .filter(History.station.has(native_id=native_id))
            .order_by(History.sdate.desc())
            .first()
        )
        if latest is None:
            logger.info('Skipping line %r: no history for station native_id "%s"', line, native_id)
            skipped += 1
            continue
        for month in range(1, 13):
            datum = data[str(month)]
            if datum != _MISSING:
                last_day = monthrange(_BASELINE_YEAR, month)[1]
                session.add(
                    DerivedValue(
                        time=datetime(_BASELINE_YEAR, month, last_day, _BASELINE_HOUR),
                        datum=float(datum) / scale,
                        variable=variable,
                        history=latest,
                    )
                )
                values += 1
        added += 1
    session.flush()
    logger.info(
        "%d stations added, %d values, %d lines errored, %d excluded, %d skipped",
        added,
        values,
        errored,
        excluded_count,
        skipped,
    )
    return added, values, errored, excluded_count, skipped


def expect_value(what: str, value: Any, expected: Any) -> None:
    """Raise ``AssertionError`` naming ``what`` unless ``value == expected``."""
    if value != expected:
        raise AssertionError(f'{what}: expected "{expected}", got "{value}"')


def verify_baseline_network_and_variables(session: Session) -> bool:
    """Check that the synthetic network and its three variables are as created above.

    Returns True; raises ``AssertionError`` on the first difference.
    """
    networks = session.query(Network).filter(Network.name == pcic_climate_variable_network_name)
    expect_value(f'Network "{pcic_climate_variable_network_name}" count', networks.count(), 1)
    network = networks.one()
    for spec in _variable_specs():
        variable = (
            session.query(Variable)
            .join(Variable.network)
            .filter(Network.name == pcic_climate_variable_network_name)
            .filter(Variable.name == spec["name"])
            .first()
        )
        if variable is None:
            raise AssertionError(f'Climate baseline variable named "{spec["name"]}" not found')
        for attribute, expected in {**spec, "network_id": network.id}.items():
            expect_value(
                f'Variable "{spec["name"]}" {attribute}', getattr(variable, attribute), expected
            )
    return True


def verify_baseline_values(
    session: Session,
    var_name: str,
    station_count: int,
    expected_stations_and_values: Iterable[dict[str, Any]],
) -> bool:
    """Check the stored baseline values of ``var_name``.

    ``station_count`` stations must have values; each item of
    ``expected_stations_and_values`` is ``{"station_native_id": str, "values": [12 values,
    None where absent]}``. Returns True; raises ``AssertionError`` on the first difference.
    """
    of_variable = (
        session.query(DerivedValue)
        .join(DerivedValue.history)
        .join(DerivedValue.variable)
        .join(History.station)
        .join(Variable.network)
        .filter(Network.name == pcic_climate_variable_network_name)
        .filter(Variable.name == var_name)
    )
    stations = of_variable.with_entities(Station.native_id).distinct()
    expect_value(f"{var_name} station count", stations.count(), station_count)
    for expected in expected_stations_and_values:
        native_id = expected["station_native_id"]
        stored = (
            of_variable.filter(Station.native_id == native_id).order_by(DerivedValue.time).all()
        )
        wanted = [(month, v) for month, v in enumerate(expected["values"], 1) if v is not None]
        expect_value(
            f'Variable "{var_name}", Station "{native_id}" value count', len(stored), len(wanted)
        )
        for row, (month, value) in zip(stored, wanted, strict=True):
            expect_value(
                f"Variable {var_name}, Station {native_id}, Month {month} datum", row.datum, value
            )
    return True


__all__ = [
    "expect_value",
    "field_format",
    "field_names",
    "field_widths",
    "get_or_create_pcic_climate_baseline_variables",
    "get_or_create_pcic_climate_variables_network",
    "load_pcic_climate_baseline_values",
    "pcic_climate_variable_network_name",
    "verify_baseline_network_and_variables",
    "verify_baseline_values",
]

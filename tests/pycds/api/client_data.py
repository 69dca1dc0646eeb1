"""A small CRMP data set inserted the way a client (crmprtd) does: through the ORM.

Two networks, a 1-hourly and a daily history, a temperature, a precipitation and a
climatology variable, observations, and native and PCIC flags, some with ``discard``.
What each view and matview must then show is derived here from the rows themselves,
following the facts (crmp-facts section 5), not from pycds's view definitions.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from geoalchemy2 import WKTElement
from sqlalchemy.orm import Session

from pycds import Contact, History, NativeFlag, Network, Obs, PCICFlag, Station, Variable

DAY1, DAY2 = dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 2)
WEIGHT_PER_DAY = {"daily": 1, "12-hourly": 2, "1-hourly": 24}


@dataclass
class ClientData:
    networks: list[Network]
    histories: list[History]
    variables: list[Variable]
    observations: list[Obs]
    discarded: set[int] = field(default_factory=set)


def _point(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon} {lat})", srid=4326)


def insert_client_data(session: Session) -> ClientData:
    """Insert the data set through the ORM, as crmprtd's align/insert phases do."""
    moti, ec = Network(name="MoTIe", long_name="Transportation"), Network(name="EC")
    session.add(Contact(name="Simon", networks=[moti]))
    hourly = History(
        station_name="Brandywine",
        lon=-123.1,
        lat=49.9,
        freq="1-hourly",
        the_geom=_point(-123.1, 49.9),
    )
    daily = History(
        station_name="Beaver Creek",
        lon=-140.9,
        lat=62.4,
        freq="daily",
        the_geom=_point(-140.9, 62.4),
    )
    session.add_all(
        [
            Station(native_id="11091", network=moti, histories=[hourly]),
            Station(native_id="2100160", network=ec, histories=[daily]),
        ]
    )
    temperature = Variable(
        name="CURRENT_AIR_TEMPERATURE1",
        unit="celsius",
        standard_name="air_temperature",
        cell_method="time: point",
        display_name="Air Temperature",
        network=moti,
    )
    precipitation = Variable(
        name="precipitation",
        unit="mm",
        standard_name="lwe_thickness_of_precipitation_amount",
        cell_method="time: sum",
        display_name="Precipitation",
        network=ec,
    )
    climatology = Variable(
        name="Tx_Climatology",
        unit="celsius",
        standard_name="air_temperature",
        cell_method="t: maximum within days t: mean within months t: mean over years",
        display_name="Temperature Climatology (Max.)",
        network=ec,
    )
    suspect = NativeFlag(name="suspect", value="S", discard=False, network=moti)
    bad = NativeFlag(name="bad", value="B", discard=True, network=moti)
    out_of_range, noted = PCICFlag(name="range", discard=True), PCICFlag(name="note", discard=False)

    observations = [
        Obs(
            time=DAY1 + dt.timedelta(hours=h),
            datum=float(h + 1),
            history=hourly,
            variable=temperature,
        )
        for h in range(6)
    ]
    observations += [
        Obs(time=DAY2, datum=-1.0, history=hourly, variable=temperature),
        Obs(time=DAY2 + dt.timedelta(hours=1), datum=-2.0, history=hourly, variable=temperature),
    ]
    observations += [
        Obs(time=DAY1 + dt.timedelta(days=d), datum=v, history=daily, variable=precipitation)
        for d, v in enumerate((1.5, 2.0, 0.5))
    ]
    observations.append(
        Obs(time=dt.datetime(2000, 1, 31, 23), datum=3.0, history=daily, variable=climatology)
    )
    observations[5].native_flags.append(bad)  # discarded
    observations[4].flags.append(suspect)  # ``flags``: upstream's synonym of native_flags
    observations[4].pcic_flags.append(noted)
    observations[7].pcic_flags.append(out_of_range)  # discarded
    session.add_all(observations)
    session.flush()
    data = ClientData(
        [moti, ec], [hourly, daily], [temperature, precipitation, climatology], observations
    )
    data.discarded = {observations[5].id, observations[7].id}
    return data


def is_climatology(variable: Variable) -> bool:
    """crmp-facts 6, ``variable_tags``: climatology when net_var_name contains ``Climatology``."""
    return "Climatology" in variable.name


def expected_daily(data: ClientData, extremum: str) -> dict[tuple, tuple[float, float]]:
    """(history, variable, day) -> (statistic, data coverage) of ``daily_<extremum>_...``."""
    cell_methods = {f"time: {extremum}imum", "time: point", "time: mean"}
    days: dict[tuple, list[float]] = defaultdict(list)
    freq: dict[tuple, str] = {}
    for obs in data.observations:
        v, h = obs.variable, obs.history
        if (
            obs.id not in data.discarded
            and v.standard_name == "air_temperature"
            and v.cell_method in cell_methods
            and h.freq in ("1-hourly", "12-hourly", "daily")
        ):
            day = obs.time.replace(hour=0)  # no 12-hourly history here: no shift
            days[(h.id, v.id, day)].append(obs.datum)
            freq[(h.id, v.id, day)] = h.freq
    pick = max if extremum == "max" else min
    return {
        key: (pick(values), len(values) / WEIGHT_PER_DAY[freq[key]]) for key, values in days.items()
    }


def expected_monthly_average(data: ClientData, extremum: str) -> dict[tuple, tuple[float, float]]:
    months: dict[tuple, list[tuple[float, float]]] = defaultdict(list)
    for (h, v, day), value in expected_daily(data, extremum).items():
        months[(h, v, day.replace(day=1))].append(value)
    return {
        (h, v, month): (
            sum(s for s, _ in values) / len(values),
            sum(c for _, c in values) / calendar.monthrange(month.year, month.month)[1],
        )
        for (h, v, month), values in months.items()
    }


def expected_monthly_precipitation(data: ClientData) -> dict[tuple, tuple[float, float]]:
    names = {
        "lwe_thickness_of_precipitation_amount",
        "thickness_of_rainfall_amount",
        "thickness_of_snowfall_amount",
    }
    months: dict[tuple, list[float]] = defaultdict(list)
    freq: dict[tuple, str] = {}
    for obs in data.observations:
        v, h = obs.variable, obs.history
        if (
            obs.id not in data.discarded
            and v.standard_name in names
            and v.cell_method == "time: sum"
            and h.freq in ("1-hourly", "daily")
            and v.name.lower() != "cum_pcpn_amt"
        ):
            key = (h.id, v.id, obs.time.replace(day=1, hour=0))
            months[key].append(obs.datum)
            freq[key] = h.freq
    return {
        key: (
            sum(values),
            len(values)
            / WEIGHT_PER_DAY[freq[key]]
            / calendar.monthrange(key[2].year, key[2].month)[1],
        )
        for key, values in months.items()
    }

"""The 13 base tables of the CRMP schema at head, as declarative classes.

Attribute names follow the long-standing pycds API (``Network.name`` for column
``network_name`` and so on), which clients such as crmprtd rely on. The ORM and the
migrated head are identical: ``create_all`` builds exactly what ``upgrade head`` builds.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import CITEXT
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from pycds.orm import base  # noqa: F401  (upstream exports it from this module)
from pycds.orm.base import Base, fk, metadata  # noqa: F401  (metadata: as upstream)
from pycds.tracking import hx_table_name  # noqa: F401  (upstream exports it from this module)


def _mod_time() -> Mapped[datetime.datetime]:
    return mapped_column(sa.DateTime, nullable=False, server_default=sa.text("now()"))


def _mod_user() -> Mapped[str]:
    return mapped_column(sa.String(64), nullable=False, server_default=sa.text("CURRENT_USER"))


def no_newline_ck_name(column: str) -> str:
    """Name of the CHECK that keeps line breaks out of ``column`` (upstream's helper name)."""
    return f"{column}_nolinebreak"


def no_newline_ck_check(column: str) -> str:
    """Condition of the CHECK that keeps line breaks out of ``column``."""
    return f"{column} !~ '[\\r\\n]'"


def _no_line_break(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(no_newline_ck_check(column), name=no_newline_ck_name(column))


class Contact(Base):
    __tablename__ = "meta_contact"

    id: Mapped[int] = mapped_column("contact_id", sa.Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String)
    title: Mapped[str | None] = mapped_column(sa.String)
    organization: Mapped[str | None] = mapped_column(sa.String)
    email: Mapped[str | None] = mapped_column(sa.String)
    phone: Mapped[str | None] = mapped_column(sa.String)

    networks: Mapped[list[Network]] = relationship(back_populates="contact", order_by="Network.id")


class Network(Base):
    """A data provider."""

    __tablename__ = "meta_network"
    __table_args__ = (
        sa.UniqueConstraint("network_display_name", name="uq_meta_network_network_display_name"),
    )

    id: Mapped[int] = mapped_column("network_id", sa.Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column("network_name", sa.String)
    long_name: Mapped[str | None] = mapped_column("description", sa.String)
    virtual: Mapped[str | None] = mapped_column(sa.String(255))
    publish: Mapped[bool | None] = mapped_column(sa.Boolean)
    color: Mapped[str | None] = mapped_column("col_hex", sa.String)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey(fk("meta_contact.contact_id")))
    mod_time: Mapped[datetime.datetime] = _mod_time()
    mod_user: Mapped[str] = _mod_user()
    display_name: Mapped[str | None] = mapped_column("network_display_name", sa.String)

    contact: Mapped[Contact | None] = relationship(back_populates="networks")
    stations: Mapped[list[Station]] = relationship(back_populates="network", order_by="Station.id")
    variables: Mapped[list[Variable]] = relationship(back_populates="network")
    native_flags: Mapped[list[NativeFlag]] = relationship(
        back_populates="network", order_by="NativeFlag.id"
    )
    meta_contact = synonym("contact")
    meta_station = synonym("stations")
    meta_vars = synonym("variables")
    meta_native_flag = synonym("native_flags")


class Station(Base):
    __tablename__ = "meta_station"
    __table_args__ = (sa.Index("fki_meta_station_network_id_fkey", "network_id"),)

    id: Mapped[int] = mapped_column("station_id", sa.Integer, primary_key=True)
    native_id: Mapped[str | None] = mapped_column(sa.String)
    network_id: Mapped[int | None] = mapped_column(sa.ForeignKey(fk("meta_network.network_id")))
    min_obs_time: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)
    max_obs_time: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)
    publish: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=True, server_default=sa.true()
    )
    mod_time: Mapped[datetime.datetime] = _mod_time()
    mod_user: Mapped[str] = _mod_user()

    network: Mapped[Network | None] = relationship(back_populates="stations")
    histories: Mapped[list[History]] = relationship(back_populates="station", order_by="History.id")
    meta_network = synonym("network")
    meta_history = synonym("histories")


class MetaSensor(Base):
    __tablename__ = "meta_sensor"

    id: Mapped[int] = mapped_column("sensor_id", sa.Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(255))


class History(Base):
    """A station's location and operating period."""

    __tablename__ = "meta_history"
    __table_args__ = (
        sa.Index("fki_meta_history_station_id_fk", "station_id"),
        sa.Index("meta_history_freq_idx", "freq"),
        sa.Index("idx_meta_history_the_geom", "the_geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column("history_id", sa.Integer, primary_key=True)
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey(fk("meta_station.station_id")))
    station_name: Mapped[str | None] = mapped_column(sa.String)
    lon: Mapped[float | None] = mapped_column(sa.Numeric)
    lat: Mapped[float | None] = mapped_column(sa.Numeric)
    elevation: Mapped[float | None] = mapped_column("elev", sa.Float)
    sdate: Mapped[datetime.date | None] = mapped_column(sa.Date)
    edate: Mapped[datetime.date | None] = mapped_column(sa.Date)
    tz_offset: Mapped[datetime.timedelta | None] = mapped_column(sa.Interval)
    province: Mapped[str | None] = mapped_column(sa.String)
    country: Mapped[str | None] = mapped_column(sa.String)
    comments: Mapped[str | None] = mapped_column(sa.String(255))
    freq: Mapped[str | None] = mapped_column(sa.String)
    sensor_id: Mapped[int | None] = mapped_column(sa.ForeignKey(fk("meta_sensor.sensor_id")))
    the_geom = mapped_column(Geometry("GEOMETRY", 4326, spatial_index=False))
    mod_time: Mapped[datetime.datetime] = _mod_time()
    mod_user: Mapped[str] = _mod_user()

    station: Mapped[Station | None] = relationship(back_populates="histories")
    sensor: Mapped[MetaSensor | None] = relationship()
    observations: Mapped[list[Obs]] = relationship(back_populates="history")
    derived_values: Mapped[list[DerivedValue]] = relationship(back_populates="history")
    meta_station = synonym("station")
    obs_raw = synonym("observations")
    obs_derived_values = synonym("derived_values")


class Variable(Base):
    """A variable observed by one network."""

    __tablename__ = "meta_vars"
    __table_args__ = (
        sa.UniqueConstraint("network_id", "net_var_name", name="network_variable_name_unique"),
        sa.CheckConstraint(
            "net_var_name ~ '^[a-zA-Z_][a-zA-Z0-9_$]*$'", name="ck_net_var_name_valid_identifier"
        ),
        *(
            _no_line_break(column)
            for column in (
                "unit",
                "standard_name",
                "cell_method",
                "long_description",
                "display_name",
                "short_name",
            )
        ),
        sa.Index("fki_meta_vars_network_id_fkey", "network_id"),
    )

    id: Mapped[int] = mapped_column("vars_id", sa.Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column("net_var_name", CITEXT)
    unit: Mapped[str | None] = mapped_column(sa.String)
    standard_name: Mapped[str] = mapped_column(sa.String, nullable=False)
    cell_method: Mapped[str] = mapped_column(sa.String, nullable=False)
    precision: Mapped[float | None] = mapped_column(sa.Float)
    description: Mapped[str | None] = mapped_column("long_description", sa.String)
    display_name: Mapped[str] = mapped_column(sa.String, nullable=False)
    short_name: Mapped[str | None] = mapped_column(sa.String)
    network_id: Mapped[int | None] = mapped_column(sa.ForeignKey(fk("meta_network.network_id")))
    mod_time: Mapped[datetime.datetime] = _mod_time()
    mod_user: Mapped[str] = _mod_user()

    network: Mapped[Network | None] = relationship(back_populates="variables")
    observations: Mapped[list[Obs]] = relationship(back_populates="variable")
    derived_values: Mapped[list[DerivedValue]] = relationship(back_populates="variable")
    meta_network = synonym("network")
    obs = synonym("observations")
    obs_raw = synonym("observations")
    obs_derived_values = synonym("derived_values")


def _flag_links(name: str, flag_table: str, flag_column: str, index: str) -> sa.Table:
    """An association table between observations and one kind of flag."""
    return sa.Table(
        name,
        Base.metadata,
        sa.Column(
            "obs_raw_id", sa.BigInteger, sa.ForeignKey(fk("obs_raw.obs_raw_id")), primary_key=True
        ),
        sa.Column(
            flag_column,
            sa.Integer,
            sa.ForeignKey(fk(f"{flag_table}.{flag_column}")),
            primary_key=True,
        ),
        sa.Index(index, "obs_raw_id"),
    )


obs_raw_native_flags = _flag_links(
    "obs_raw_native_flags", "meta_native_flag", "native_flag_id", "flag_index"
)
obs_raw_pcic_flags = _flag_links(
    "obs_raw_pcic_flags", "meta_pcic_flag", "pcic_flag_id", "pcic_flag_index"
)


class Obs(Base):
    """One observation: a value of one variable at one time and place."""

    __tablename__ = "obs_raw"
    __table_args__ = (
        sa.UniqueConstraint("obs_time", "history_id", "vars_id", name="time_place_variable_unique"),
        sa.Index("mod_time_idx", "mod_time"),
        sa.Index("obs_raw_comp_idx", "obs_time", "vars_id", "history_id"),
        sa.Index("obs_raw_history_id_idx", "history_id"),
        sa.Index("obs_raw_id_idx", "obs_raw_id"),
        sa.Index("obs_raw_history_obs_time_idx", "history_id", "obs_time"),
    )

    id: Mapped[int] = mapped_column("obs_raw_id", sa.BigInteger, primary_key=True)
    time: Mapped[datetime.datetime | None] = mapped_column("obs_time", sa.DateTime)
    # No server default: the history-tracking trigger sets mod_time on every write.
    mod_time: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime, nullable=False, default=datetime.datetime.utcnow
    )
    datum: Mapped[float | None] = mapped_column(sa.Float)
    vars_id: Mapped[int | None] = mapped_column(sa.ForeignKey(fk("meta_vars.vars_id")))
    history_id: Mapped[int | None] = mapped_column(sa.ForeignKey(fk("meta_history.history_id")))
    mod_user: Mapped[str] = _mod_user()

    history: Mapped[History | None] = relationship(back_populates="observations")
    variable: Mapped[Variable | None] = relationship(back_populates="observations")
    native_flags: Mapped[list[NativeFlag]] = relationship(
        secondary=obs_raw_native_flags, back_populates="flagged_obs"
    )
    pcic_flags: Mapped[list[PCICFlag]] = relationship(
        secondary=obs_raw_pcic_flags, back_populates="flagged_obs"
    )
    flags = synonym("native_flags")
    meta_history = synonym("history")
    meta_vars = synonym("variable")


class NativeFlag(Base):
    """A flag defined by a data provider."""

    __tablename__ = "meta_native_flag"
    __table_args__ = (sa.UniqueConstraint("network_id", "value", name="meta_native_flag_unique"),)

    id: Mapped[int] = mapped_column("native_flag_id", sa.Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column("flag_name", sa.String)
    description: Mapped[str | None] = mapped_column(sa.String)
    network_id: Mapped[int | None] = mapped_column(sa.ForeignKey(fk("meta_network.network_id")))
    value: Mapped[str | None] = mapped_column(sa.String)
    discard: Mapped[bool | None] = mapped_column(sa.Boolean)

    network: Mapped[Network | None] = relationship(back_populates="native_flags")
    flagged_obs: Mapped[list[Obs]] = relationship(
        secondary=obs_raw_native_flags, back_populates="native_flags"
    )


class PCICFlag(Base):
    """A flag assigned by PCIC quality control."""

    __tablename__ = "meta_pcic_flag"

    id: Mapped[int] = mapped_column("pcic_flag_id", sa.Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column("flag_name", sa.String)
    description: Mapped[str | None] = mapped_column(sa.String)
    discard: Mapped[bool | None] = mapped_column(sa.Boolean)

    flagged_obs: Mapped[list[Obs]] = relationship(
        secondary=obs_raw_pcic_flags, back_populates="pcic_flags"
    )


class TimeBound(Base):
    """The period an observation covers, when it is not an instant."""

    __tablename__ = "time_bounds"

    obs_raw_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey(fk("obs_raw.obs_raw_id")), primary_key=True
    )
    start: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)
    end: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)


class DerivedValue(Base):
    """A value computed by PCIC, e.g. a climate baseline."""

    __tablename__ = "obs_derived_values"
    __table_args__ = (
        sa.UniqueConstraint(
            "value_time",
            "history_id",
            "vars_id",
            name="obs_derived_value_time_place_variable_unique",
        ),
    )

    id: Mapped[int] = mapped_column("obs_derived_value_id", sa.Integer, primary_key=True)
    time: Mapped[datetime.datetime | None] = mapped_column("value_time", sa.DateTime)
    mod_time: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime, nullable=False, default=datetime.datetime.utcnow
    )
    datum: Mapped[float | None] = mapped_column(sa.Float)
    vars_id: Mapped[int | None] = mapped_column(sa.ForeignKey(fk("meta_vars.vars_id")))
    history_id: Mapped[int | None] = mapped_column(sa.ForeignKey(fk("meta_history.history_id")))

    history: Mapped[History | None] = relationship(back_populates="derived_values")
    variable: Mapped[Variable | None] = relationship(back_populates="derived_values")


# Upstream's names for the association tables (plain tables, not mapped classes).
ObsRawNativeFlags = obs_raw_native_flags
ObsRawPCICFlags = obs_raw_pcic_flags

# The history classes, which upstream's ``pycds.orm.tables`` also exports: resolved on first
# use because they are built from the classes above.
_HISTORY_CLASSES = {
    "NetworkHistory",
    "StationHistory",
    "HistoryHistory",
    "VariableHistory",
    "ObsHistory",
}


def get_global_table_version() -> str | None:
    """The table version selected for the whole process: always None (the head tables).

    Upstream lets a test select the ORM of an older revision; this pycds keeps only the
    tables at head, which is what upstream's None means.
    """
    return None


def __getattr__(name: str) -> object:
    if name not in _HISTORY_CLASSES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from pycds.orm import history_classes

    return getattr(history_classes, name)

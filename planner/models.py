"""The declarative base shared by every area, and mixins used across areas."""
from datetime import datetime, timezone

from sqlalchemy import DateTime, Enum, Integer, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A DateTime stored as naive UTC and always read back as aware UTC.

    SQLite keeps no zone; PostgreSQL's ``timestamp without time zone`` neither. Storing naive UTC
    on both keeps comparisons and sorting identical across the two databases.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=timezone.utc) if value is not None else None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: an edit made against an older version is refused, not merged."""

    #: raised by SQLAlchemy on every UPDATE; forms carry it so a stale edit is detected
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


def enum_column(enum_class, length: int = 30, name: str | None = None):
    """Store an enum by its value as plain text, checked by a named constraint.

    Two columns of one table with the same enum need their own ``name``: the constraint is named
    after it, and PostgreSQL wants constraint names unique per table.
    """
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e],
                create_constraint=True, name=name or enum_class.__name__.lower(), validate_strings=True)

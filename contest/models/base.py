"""Declarative base with a constraint naming convention, so Alembic can name,
find and drop every constraint the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database.

    SQLite drops the offset; reading back naive values would make comparisons
    with aware ones fail, so values are normalised on the way in and out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)


def enum_column(enum_cls, name: str, length: int = 24) -> Enum:
    """States and kinds stored as their names in a VARCHAR with a CHECK: adding
    a value is a migration on both SQLite and PostgreSQL, without ALTER TYPE."""
    return Enum(enum_cls, name=name, native_enum=False, length=length)


def max_length(column) -> int | None:
    """The most characters a text column takes: String(n)'s n, or for a Text
    column the limit the app keeps, declared beside it as info={"max_length": n}."""
    return getattr(column.type, "length", None) or column.info.get("max_length")


def length_of(column) -> int:
    """`max_length` for a column that must have one (checked when the module imports)."""
    limit = max_length(column)
    if limit is None:
        raise LookupError(f"{column.table.name}.{column.name} has no length (String(n) or info max_length)")
    return limit

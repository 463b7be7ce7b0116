"""ORM access for stored classifications (mixed into ``Store``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select

from dte_desktop.core.store.models import ClassificationRow

ANY = "*"


@dataclass(frozen=True)
class StoredClassification:
    connection: str
    schema: str | None
    table: str  # "*" = the connection's default
    column: str  # "*" = the table's default
    level: str
    pii_type: str | None
    source: str
    updated_by: str | None = None


def _rec(r: ClassificationRow) -> StoredClassification:
    return StoredClassification(
        r.connection,
        r.schema_name or None,
        r.table,
        r.column,
        r.level,
        r.pii_type,
        r.source,
        r.updated_by,
    )


class ClassificationRows:
    def set_classification(self, c: StoredClassification) -> None:
        """Insert or replace by (connection, schema, table, column)."""
        schema = c.schema or ""
        with self.session() as s:  # type: ignore[attr-defined]
            row = s.scalar(
                select(ClassificationRow).where(
                    ClassificationRow.connection == c.connection,
                    ClassificationRow.schema_name == schema,
                    ClassificationRow.table == c.table,
                    ClassificationRow.column == c.column,
                )
            )
            if row is None:
                row = ClassificationRow(
                    connection=c.connection, schema_name=schema, table=c.table, column=c.column
                )
                s.add(row)
            row.level, row.pii_type, row.source = c.level, c.pii_type, c.source
            row.updated_by = c.updated_by
            row.updated_at = datetime.now(UTC).replace(tzinfo=None)

    def remove_classification(
        self, connection: str, schema: str | None, table: str, column: str
    ) -> int:
        with self.session() as s:  # type: ignore[attr-defined]
            return s.execute(
                delete(ClassificationRow).where(
                    ClassificationRow.connection == connection,
                    ClassificationRow.schema_name == (schema or ""),
                    ClassificationRow.table == table,
                    ClassificationRow.column == column,
                )
            ).rowcount

    def classifications(
        self, connection: str, table: str | None = None
    ) -> list[StoredClassification]:
        """Everything stored for a connection, or for one table name (any schema) plus the
        connection's default."""
        q = select(ClassificationRow).where(ClassificationRow.connection == connection)
        if table is not None:
            q = q.where(ClassificationRow.table.in_([table, ANY]))
        q = q.order_by(
            ClassificationRow.schema_name, ClassificationRow.table, ClassificationRow.column
        )
        with self.session() as s:  # type: ignore[attr-defined]
            return [_rec(r) for r in s.scalars(q).all()]

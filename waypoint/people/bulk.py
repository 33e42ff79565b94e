"""Writing many rows fast: what the import and the benchmark's bulk load share.

`bulk_create` prepares every field of every object through the full model machinery; at 100,000 persons
that, not the database, is most of the time. `BulkWriter` prepares values the same way but caches the
prepared value of non-sensitive fields, and writes with COPY on PostgreSQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router
from django.db.models import AutoField
from django.utils import timezone

_FRESH = object()
_HASHABLE = (str, int, bool, float, datetime.date, datetime.datetime, type(None))


class BulkWriter:
    """Inserts of many model instances, each value prepared as bulk_create prepares it.

    bulk_create runs `pre_save` and `get_db_prep_save` for every field of every object; at 100,000 persons
    that, not the database, is most of the time. Here the prepared value of a non-sensitive field is
    cached by value (names, dates, codes and flags repeat), auto_now fields get one timestamp for the whole
    import, and encrypted fields are prepared every time (their ciphertext is randomised and must stay so).
    Fields that compute their value on save (the document number's blind index) still get `pre_save`.

    SQLite gets multi-row INSERT … RETURNING; PostgreSQL gets COPY, four times faster than INSERT there, with
    the ids of new rows taken from the table's sequence beforehand.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        self.use_copy = self.connection.vendor == "postgresql" and _is_psycopg3()
        self.fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField) and not f.generated]
        if any(hasattr(f, "get_placeholder") for f in self.fields):  # e.g. BinaryField: not handled here
            raise ImproperlyConfigured(f"{model.__name__} has a field the import cannot insert.")
        self.now = timezone.now()
        self.all_fields = model._meta.concrete_fields
        self.position = {f.attname: i for i, f in enumerate(self.all_fields)}
        # Defaults that must be made for each object (a callable such as `list`) are made in `build`.
        self.template = [
            None if f.primary_key else _FRESH if f.has_default() and callable(f.default) else f.get_default()
            for f in self.all_fields
        ]
        self.fresh_defaults = [i for i, value in enumerate(self.template) if value is _FRESH]
        self.plan = []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                how = "now"
            elif type(f).pre_save is not models.Field.pre_save and not isinstance(f, models.DateField):
                how = "pre_save"  # e.g. BlindIndexField (DateField's pre_save only differs for auto_now)
            else:
                how = "value"
            self.plan.append((f, f.attname, how, None if getattr(f, "sensitive", False) else {}))

    def build(self, values: dict[str, Any], **more: Any) -> models.Model:
        """A new instance from values by attribute name (`person_id`), defaults for the rest.

        Built from positional arguments, which Django sets without looking up defaults for each keyword:
        half the time of `Model(**values)`, which counts at 100,000 persons.
        """
        args = self.template.copy()
        for name, value in (values | more).items():
            args[self.position[name]] = value
        for position in self.fresh_defaults:
            if args[position] is _FRESH:
                args[position] = self.all_fields[position].get_default()
        return self.model(*args)

    def insert(self, objs: list[models.Model], *, returning: bool = False) -> None:
        """Insert `objs`; with `returning`, set their primary keys (in order, as bulk_create does)."""
        if not objs:
            return
        columns = [f.column for f in self.fields]
        if returning and self.use_copy:
            for obj, pk in zip(objs, self._next_ids(len(objs)), strict=True):
                obj.pk = pk
            self._write([self.model._meta.pk.column, *columns], [[obj.pk, *self._prepare(obj)] for obj in objs])
        else:
            pks = self._write(columns, [self._prepare(obj) for obj in objs], returning=returning)
            for obj, pk in zip(objs, pks, strict=returning):
                obj.pk = pk
        if returning:
            for obj in objs:
                obj._state.adding = False
                obj._state.db = self.connection.alias

    def insert_values(self, attnames: Sequence[str], rows: list[tuple]) -> None:
        """Insert rows of values already prepared for the database (see `prepared`)."""
        if rows:
            self._write([self.model._meta.get_field(name).column for name in attnames], rows)

    def prepared(self, name: str, value: Any) -> Any:
        """One value as the database takes it, for `insert_values`."""
        return self.model._meta.get_field(name).get_db_prep_save(value, self.connection)

    def _prepare(self, obj: models.Model) -> list[Any]:
        connection, values = self.connection, []
        for model_field, attname, how, cache in self.plan:
            if how == "value":
                value = getattr(obj, attname)
            elif how == "now":
                value = self.now
                setattr(obj, attname, value)
            else:
                value = model_field.pre_save(obj, True)
            if cache is None:
                values.append(model_field.get_db_prep_save(value, connection))
                continue
            if type(value) in _HASHABLE:
                key = value
            elif type(value) is list and all(type(item) is str for item in value):
                key = ("list", *value)  # citizenships, languages
            else:
                values.append(model_field.get_db_prep_save(value, connection))
                continue
            try:
                values.append(cache[key])
            except KeyError:
                cache[key] = prepared = model_field.get_db_prep_save(value, connection)
                values.append(prepared)
        return values

    def _next_ids(self, count: int) -> list[int]:
        meta = self.model._meta
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def _write(self, columns: list[str], rows: list[Sequence[Any]], *, returning: bool = False) -> list[int]:
        quote = self.connection.ops.quote_name
        # Only quoted table and column names of the model go into the SQL; every value is a parameter.
        table = f"{quote(self.model._meta.db_table)} ({', '.join(map(quote, columns))})"
        with self.connection.cursor() as cursor:
            if self.use_copy and not returning:
                with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return []
            max_params = self.connection.features.max_query_params or 32766
            per_statement = max(1, min(1000, max_params // len(columns)))
            placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
            tail = f" RETURNING {quote(self.model._meta.pk.column)}" if returning else ""
            pks: list[int] = []
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                sql = f"INSERT INTO {table} VALUES {', '.join([placeholder] * len(chunk))}{tail}"  # noqa: S608
                cursor.execute(sql, [value for row in chunk for value in row])
                if returning:
                    pks.extend(row[0] for row in cursor.fetchall())
            return pks


def _is_psycopg3() -> bool:
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3

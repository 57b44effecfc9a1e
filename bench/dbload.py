"""Fast loading for the generator: PostgreSQL COPY, or executemany elsewhere; emptying the tracker tables.

Rows carry explicit primary keys so that the same seed gives the same ids and foreign keys need no round trip.
executemany rather than bulk_create on other databases: bulk_create would overwrite the generated `created_at`
values of `auto_now_add` fields with the current time and break determinism.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models

from bench.progress import Progress

BATCH_SIZE = 5000
# Apps whose rows the generator owns; "reminders" is included once that app exists.
TRACKER_APPS = ("accounts", "inspections", "recommendations", "reminders", "admin", "sessions", "axes")
# Reference data seeded by migrations: kept by --reset.
KEPT_MODELS = (
    "inspections.Region",
    "inspections.ProbationDeliveryUnit",
    "recommendations.Theme",
    "reminders.ReminderPolicy",
)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def insert_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress: Progress | None = None,
) -> int:
    """Insert `rows` (tuples in the order of `field_names`) into `model`'s table; returns the number inserted."""
    found = [_column(model, name) for name in field_names]
    fields = [field for field, _ in found]
    columns = ", ".join(connection.ops.quote_name(column) for _, column in found)
    table = connection.ops.quote_name(model._meta.db_table)
    if is_postgresql():
        return _copy(f"COPY {table} ({columns}) FROM STDIN", rows, progress)
    placeholders = ", ".join(["%s"] * len(fields))
    return _executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", fields, rows, progress)


def _copy(sql: str, rows: Iterable[Sequence[Any]], progress: Progress | None) -> int:
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
            if progress is not None and count % 1000 == 0:
                progress.update(1000)
    if progress is not None:
        progress.update(count % 1000)
    return count


def _executemany(
    sql: str, fields: list[models.Field[Any, Any]], rows: Iterable[Sequence[Any]], progress: Progress | None
) -> int:
    count, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            pairs = zip(fields, row, strict=True)
            batch.append(tuple(field.get_db_prep_save(value, connection) for field, value in pairs))
            if len(batch) >= BATCH_SIZE:
                count += _flush(cursor, sql, batch, progress)
        count += _flush(cursor, sql, batch, progress)
    return count


def _flush(cursor: Any, sql: str, batch: list[tuple[Any, ...]], progress: Progress | None) -> int:
    size = len(batch)
    if size:
        cursor.executemany(sql, batch)
        batch.clear()
        if progress is not None:
            progress.update(size)
    return size


def tracker_models() -> list[type[models.Model]]:
    """Every table the generator fills or --reset empties (with many-to-many tables), reference data excluded."""
    app_labels = {config.label for config in apps.get_app_configs()} & set(TRACKER_APPS)
    kept = {model for label in KEPT_MODELS if (model := _model_or_none(label)) is not None}
    return [
        model
        for label in sorted(app_labels)
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model not in kept and not model._meta.proxy and model._meta.managed
    ]


def _model_or_none(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def has_tracker_rows() -> bool:
    from accounts.models import User
    from inspections.models import Inspection
    from recommendations.models import Recommendation

    return User.objects.exists() or Inspection.objects.exists() or Recommendation.objects.exists()


def empty_tracker_tables() -> None:
    """Empty the tracker tables, keeping regions, PDUs and themes (which point at users: unlinked first)."""
    from accounts.models import User
    from inspections.models import Region

    Region.objects.update(inspectorate_lead=None)
    user_table = User._meta.db_table
    tables = [model._meta.db_table for model in tracker_models() if model._meta.db_table != user_table]
    with connection.cursor() as cursor:
        if is_postgresql():
            # Regions refer to users, so the user table cannot be truncated with the rest: deleted after.
            cursor.execute(f"TRUNCATE {', '.join(map(connection.ops.quote_name, tables))} RESTART IDENTITY")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(user_table)}")


def reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """After inserting explicit ids, move each id sequence past the largest id (PostgreSQL only)."""
    if not is_postgresql():
        return
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def analyze(model_list: Iterable[type[models.Model]]) -> None:
    """Refresh planner statistics and the visibility map, as autovacuum would after a bulk load."""
    if not is_postgresql() or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in model_list:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def _column(model: type[models.Model], name: str) -> tuple[models.Field[Any, Any], str]:
    """The field `name` of `model` and its column in the table."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column of its table")
    return field, field.column

"""Each recommendation's comparison key in a column of its own (recommendations/comparison_keys.py), so that a
process comparing its first report reads the keys rather than working them out from every text; the data step works
out the keys of the recommendations already recorded (about a minute at 100,000, during which
changes to recommendations wait)."""

from typing import Any

from django.db import migrations, models

from recommendations.comparison_keys import comparison_key

BATCH = 2000


def work_out_keys(apps: Any, schema_editor: Any) -> None:
    """The key of every recorded text, a batch at a time (the model's save(), which keeps it, is not run here).
    One UPDATE a row, sent together (executemany): bulk_update's CASE over a batch took twice as long."""
    recommendation = apps.get_model("recommendations", "Recommendation")
    table = schema_editor.quote_name(recommendation._meta.db_table)
    update = f"UPDATE {table} SET comparison_key = %s WHERE id = %s"
    rows = recommendation.objects.order_by("pk").values_list("pk", "text")
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while batch := list(rows.filter(pk__gt=last)[:BATCH]):
            cursor.executemany(update, [(comparison_key(text), pk) for pk, text in batch])
            last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0007_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="recommendation",
            name="comparison_key",
            field=models.TextField(blank=True, editable=False),
        ),
        # Backwards, the column goes with its keys: nothing to undo.
        migrations.RunPython(work_out_keys, migrations.RunPython.noop, elidable=True),
    ]

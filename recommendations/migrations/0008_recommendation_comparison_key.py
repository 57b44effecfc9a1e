"""Each recommendation's comparison key in a column of its own (recommendations/comparison_keys.py), so that a
process comparing its first report reads the keys rather than working them out from every text; the data step works
out the keys of the recommendations already recorded (about two minutes at 100,000, during which
changes to recommendations wait)."""

from typing import Any

from django.db import migrations, models

from recommendations.comparison_keys import comparison_key

BATCH = 2000


def work_out_keys(apps: Any, schema_editor: Any) -> None:
    """The key of every recorded text, a batch at a time (the model's save(), which keeps it, is not run here),
    written with the ORM's bulk_update (a raw executemany took half the time, once, and is not worth the SQL)."""
    recommendation = apps.get_model("recommendations", "Recommendation")
    rows = recommendation.objects.order_by("pk").only("pk", "text")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        for row in batch:
            row.comparison_key = comparison_key(row.text)
        recommendation.objects.bulk_update(batch, ["comparison_key"])
        last = batch[-1].pk


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

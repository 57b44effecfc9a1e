"""Remake the fingerprint of every imported inspection with report_digest, which ignores spacing.

Before, the digest was the SHA-256 of the stored text, so a copy with one doubled space was imported again as a
second inspection. Where that happened, the two now share a fingerprint: the one whose digest needs no change (or
else the first imported) takes it, the others keep theirs and are logged, for staff to merge by hand.
"""

import hashlib
import logging
from collections.abc import Callable

from django.db import migrations

from inspections.parsing.text import report_digest

logger = logging.getLogger(__name__)


def refingerprint(apps, schema_editor) -> None:
    _remake(apps, report_digest)


def legacy_fingerprint(apps, schema_editor) -> None:
    _remake(apps, lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest())


def _remake(apps, digest_of: Callable[[str], str]) -> None:
    Inspection = apps.get_model("inspections", "Inspection")
    rows = list(
        Inspection.objects.exclude(source_digest="").order_by("pk").only("reference", "source_text", "source_digest")
    )
    by_digest: dict[str, list] = {}
    for row in rows:
        by_digest.setdefault(digest_of(row.source_text), []).append(row)
    changed = []
    for digest, same in by_digest.items():
        # The row that already holds the digest keeps it, so no other row is ever given a digest still in use.
        keeper = next((row for row in same if row.source_digest == digest), same[0])
        if keeper.source_digest != digest:
            keeper.source_digest = digest
            changed.append(keeper)
        if len(same) > 1:
            logger.warning(
                "Inspections %s are imports of one report: %s keeps its fingerprint, merge the others by hand",
                ", ".join(row.reference for row in same),
                keeper.reference,
            )
    Inspection.objects.bulk_update(changed, ["source_digest"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_seed_regions")]
    operations = [migrations.RunPython(refingerprint, legacy_fingerprint)]

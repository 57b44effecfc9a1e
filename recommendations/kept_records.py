"""What the shared cache keeps from the records (core/shared_cache.py: the public pages' data, the filters' options,
the region pages' outcomes) is read afresh after any change to a recommendation, an inspection, its scores, a region
or a theme.

Every save and delete of these sends Django's signals, wherever it is made (the services, the admin's forms and
inlines, the import), so it is caught here once. The writes that send none move the cache on themselves: the
services' bulk changes (recommendations/services.py) and publishing (inspections/services.py).
"""

from typing import Any

from django.db.models.signals import post_delete, post_save

from core.shared_cache import records_changed
from inspections.models import Inspection, Region, Score
from recommendations.models import Recommendation, Theme


def watch_for_changes() -> None:
    """Connect the signals (RecommendationsConfig.ready)."""
    for model in (Recommendation, Inspection, Score, Region, Theme):
        post_save.connect(_changed, sender=model, dispatch_uid=f"kept-records-{model.__name__}-saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"kept-records-{model.__name__}-deleted")


def _changed(sender: type[Any], **kwargs: Any) -> None:
    records_changed()

"""The public pages are read afresh after any change to a recommendation or an inspection (core/shared_cache.py).

Every save and delete of either sends Django's signals, wherever it is made (the services, the admin's forms and
inlines, the import), so it is caught here once. The writes that send none move the cache on themselves: the
services' bulk changes (recommendations/services.py) and publishing (inspections/services.py).
"""

from typing import Any

from django.db.models.signals import post_delete, post_save

from core.shared_cache import public_pages_changed
from inspections.models import Inspection
from recommendations.models import Recommendation


def watch_for_public_changes() -> None:
    """Connect the signals (RecommendationsConfig.ready)."""
    for model in (Recommendation, Inspection):
        post_save.connect(_changed, sender=model, dispatch_uid=f"public-pages-{model.__name__}-saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"public-pages-{model.__name__}-deleted")


def _changed(sender: type[Any], **kwargs: Any) -> None:
    public_pages_changed()

"""Recommendation.last_updated_at worked out from what is already recorded, for rows that were not kept up to date
by the services: the migration that added it, and the bench's generated data (bench/generator.py).

The services keep it from then on (services._save and services._touch): when something is recorded, it is now.
"""

from typing import Any

from django.apps.registry import Apps
from django.db.models import DateTimeField, Max, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce, Greatest


def fill_last_updated(apps: Apps) -> int:
    """Set each recommendation's last_updated_at to the latest of its creation, its history rows, progress updates,
    follow-up activities (when recorded), target date requests and decisions, actions added and completed (a
    completion is dated: the start of its day, UTC). One UPDATE whatever the number of rows; `apps` is a
    migration's registry of models or Django's own."""

    def model(name: str) -> Any:
        return apps.get_model("recommendations", name)

    def latest(name: str, column: Any, link: str = "recommendation") -> Coalesce:
        rows = model(name).objects.filter(**{link: OuterRef("pk")}).order_by().values(link)
        return Coalesce(Subquery(rows.annotate(at=Max(column)).values("at")[:1]), "created_at")

    moments = [
        latest("HistoricalRecommendation", "history_date", link="id"),
        latest("ProgressUpdate", "created_at"),
        latest("FollowUpActivity", "created_at"),
        latest("TargetDateChangeRequest", "created_at"),
        latest("TargetDateChangeRequest", "decided_at"),
        latest("ActionPlanItem", "created_at"),
        latest("ActionPlanItem", Cast("completed_on", DateTimeField())),
    ]
    updated: int = model("Recommendation").objects.update(last_updated_at=Greatest("created_at", *moments))
    return updated

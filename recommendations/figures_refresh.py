"""What beat makes afresh every FIGURES_REFRESH_SECONDS (recommendations/tasks.py): the figures of the dashboard (as
Inspectorate staff see them), of every region's page and of the national page, kept in the shared cache
(core/shared_cache.py) where every web worker reads them. Running it twice, or twice at once, only makes them twice.
"""

import datetime

from django.utils import timezone

from inspections.models import Region
from recommendations import region_selectors, selectors


def refresh_figures(today: datetime.date | None = None) -> int:
    """Make every page's figures afresh and keep them; how many sets were made."""
    today = today or timezone.localdate()
    selectors.refresh_dashboard_figures(today)
    region_selectors.national_figures(today, afresh=True)
    regions = list(Region.objects.order_by("name"))
    for region in regions:
        region_selectors.region_figures(region, today, afresh=True)
    return 2 + len(regions)

"""The rates section of the dashboard, a region's page and the national page, written once for each set of kept
figures (core/shared_cache.py): figures never change once made, and the section's tables cost about 2 ms of CPU to
write on every view. Kept in the web worker's memory under the name of the figures and when they were made."""

import datetime
from typing import Any

from django.template.loader import render_to_string
from markupsafe import Markup

from core.fragments import kept_by_name


def rates_section(
    whose: str,
    as_at: datetime.datetime,
    figures: Any,
    export_urls: dict[str, str],
    *,
    by_region: bool,
    rates_by_region: bool,
) -> Markup:
    """templates/recommendations/_rates.html's rates_section for the figures of `whose` made at `as_at`."""
    context = {
        "figures": figures,
        "export_urls": export_urls,
        "by_region": by_region,
        "rates_by_region": rates_by_region,
    }
    return kept_by_name(
        f"rates-section:{whose}:{as_at.isoformat()}",
        lambda: render_to_string("recommendations/_rates_section.html", context),
    )

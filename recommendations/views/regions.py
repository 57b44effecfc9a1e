"""The region pages: the list of regions (Inspectorate staff), a region's page (staff, and its own lead), the
national page (staff and HMPPS leads), each with its figures as CSV."""

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.requests import AuthenticatedRequest
from core.shared_cache import figures_refresh_minutes
from recommendations import figures_html, permissions, rates
from recommendations import region_selectors as selectors
from recommendations.exports import neutralise_formula
from recommendations.models import RecommendationQuerySet


@login_required
@require_safe
def region_list(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.is_inspectorate:
        raise PermissionDenied("The list of regions is for Inspectorate staff.")
    return render(request, "recommendations/regions.html", {"regions": selectors.regions()})


@login_required
@require_safe
def region_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    region = selectors.region_or_404(request.user, pk)
    kept = selectors.region_figures(region, timezone.localdate())
    context = {
        "region": region,
        "kept": kept,
        "figures": kept.figures,
        "figures_minutes": figures_refresh_minutes(),
        "rates_chart": selectors.rates_chart(kept.figures.rates_by_region),
        "outcomes": selectors.kept_outcomes(request.user, region, timezone.localdate()),
        "rates_section": figures_html.rates_section(
            f"region-{pk}",
            kept.as_at,
            kept.figures,
            _export_urls("recommendations:region_figures", pk),
            by_region=False,
            rates_by_region=True,
        ),
    }
    return render(request, "recommendations/region.html", context)


@login_required
@require_safe
def national(request: AuthenticatedRequest) -> HttpResponse:
    if not permissions.may_see_national(request.user):
        raise Http404("No such page.")
    kept = selectors.national_figures(timezone.localdate())
    context = {
        "kept": kept,
        "figures": kept.figures,
        "figures_minutes": figures_refresh_minutes(),
        "rates_chart": selectors.rates_chart(kept.figures.rates_by_addressee),
        "rates_section": figures_html.rates_section(
            "national",
            kept.as_at,
            kept.figures,
            _export_urls("recommendations:national_figures"),
            by_region=False,
            rates_by_region=False,
        ),
    }
    return render(request, "recommendations/national.html", context)


@login_required
@require_safe
def region_figures(request: AuthenticatedRequest, pk: int, table: str) -> HttpResponse:
    region = selectors.region_or_404(request.user, pk)
    recommendations = selectors.region_recommendations(request.user, region)
    return _figures_csv(recommendations, table, f"{region.code.lower()}-{table}")


@login_required
@require_safe
def national_figures(request: AuthenticatedRequest, table: str) -> HttpResponse:
    if not permissions.may_see_national(request.user):
        raise Http404("No such page.")
    return _figures_csv(selectors.national_recommendations(request.user), table, f"national-{table}")


@login_required
@require_safe
def dashboard_figures(request: AuthenticatedRequest, table: str) -> HttpResponse:
    if not request.user.is_inspectorate:
        raise PermissionDenied("The dashboard is for Inspectorate staff.")
    recommendations = permissions.visible_recommendations(request.user)
    return _figures_csv(recommendations, table, f"all-regions-{table}")


def _figures_csv(recommendations: RecommendationQuerySet, table: str, filename: str) -> HttpResponse:
    """One of rates.CSV_TABLES ("implementation-rates-by-region"...), small enough to write at once."""
    lines = rates.csv_table(recommendations, table)
    if lines is None:
        raise Http404("No such table.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # a byte-order mark, so that Excel reads the file as UTF-8
    csv.writer(response).writerows([neutralise_formula(value) for value in line] for line in lines)
    return response


def _export_urls(name: str, *args: Any) -> dict[str, str]:
    """The CSV link of each table, by its name in rates.CSV_TABLES."""
    return {table: reverse(name, args=(*args, table)) for table in rates.CSV_TABLES}

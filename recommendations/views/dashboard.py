"""The Inspectorate's dashboard: where things stand across every region and addressee."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.requests import AuthenticatedRequest
from core.shared_cache import figures_refresh_minutes
from recommendations import figures_html, permissions, rates, selectors


@login_required
@require_safe
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.is_inspectorate:
        raise PermissionDenied("The dashboard is for Inspectorate staff.")
    board = selectors.dashboard(request.user, today=timezone.localdate())
    export_urls = {table: reverse("recommendations:dashboard_figures", args=(table,)) for table in rates.CSV_TABLES}
    context = {
        "dashboard": board,
        "figures_minutes": figures_refresh_minutes(),
        "rates_section": figures_html.rates_section(
            f"dashboard-{permissions.scope_key(request.user)}",
            board.as_at,
            board.rates,
            export_urls,
            by_region=True,
            rates_by_region=True,
        ),
    }
    return render(request, "recommendations/dashboard.html", context)

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
from recommendations import rates, selectors


@login_required
@require_safe
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.is_inspectorate:
        raise PermissionDenied("The dashboard is for Inspectorate staff.")
    context = {
        "dashboard": selectors.dashboard(request.user, today=timezone.localdate()),
        "figures_minutes": figures_refresh_minutes(),
        "export_urls": {
            table: reverse("recommendations:dashboard_figures", args=(table,)) for table in rates.CSV_TABLES
        },
    }
    return render(request, "recommendations/dashboard.html", context)

"""The Recurring recommendations page: the national picture of recommendations made again and again."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.requests import AuthenticatedRequest
from core.pagination import page_or_404
from recommendations.recurrence_selectors import recurring_groups

GROUPS_PER_PAGE = 25


@login_required
@require_safe
def recurring_recommendations(request: AuthenticatedRequest) -> HttpResponse:
    """Every group of confirmed repeats the person may see (leads: within their scope), the most repeated first."""
    groups = recurring_groups(request.user)
    page = page_or_404(Paginator(groups, GROUPS_PER_PAGE), request.GET.get("page"))
    context = {"page": page, "groups": page.object_list, "count": len(groups)}
    return render(request, "recommendations/recurring.html", context)

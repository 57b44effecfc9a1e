"""The inspection list and an inspection's page; both only ever show what recommendations/inspection_selectors.py lets
through."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.requests import AuthenticatedRequest
from core.pagination import page_number, page_or_404
from recommendations import inspection_selectors as selectors


@login_required
@require_safe
def inspection_list(request: AuthenticatedRequest) -> HttpResponse:
    inspections = selectors.inspections_for_list(request.user)
    page = page_or_404(Paginator(inspections, selectors.INSPECTION_PAGE_SIZE), request.GET.get("page"))
    return render(request, "inspections/list.html", {"page": page})


@login_required
@require_safe
def inspection_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    page = selectors.inspection_page(request.user, pk, page_number(request.GET.get("page")))
    return render(request, "inspections/detail.html", {"page": page})

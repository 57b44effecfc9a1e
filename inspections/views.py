"""The inspection list and an inspection's page; both only ever show what inspections/selectors.py lets through."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from inspections import selectors


@login_required
@require_safe
def inspection_list(request: HttpRequest) -> HttpResponse:
    inspections = selectors.inspections_for_list(request.user)
    page = Paginator(inspections, selectors.INSPECTION_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inspections/list.html", {"page": page})


@login_required
@require_safe
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.inspection_page(request.user, pk, request.GET.get("page"))
    return render(request, "inspections/detail.html", {"page": page})

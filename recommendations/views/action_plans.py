"""Action plans: of an inspection, and of a region's open recommendations, each as a page that prints, a Word
document and an Excel sheet. The rows come from one selector (action_plan_selectors.py), scoped there: a plan
outside the person's scope is a 404, as the inspection's page is."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.requests import AuthenticatedRequest
from recommendations import action_plan_documents as documents
from recommendations import action_plan_selectors as selectors
from recommendations.action_plan_selectors import ActionPlan


def _page(request: AuthenticatedRequest, plan: ActionPlan) -> HttpResponse:
    return render(request, "recommendations/action_plan.html", {"plan": plan, "scope_line": documents.scope_line(plan)})


@login_required
@require_safe
def inspection_plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.inspection_action_plan(request.user, pk))


@login_required
@require_safe
def inspection_plan_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return documents.docx_response(selectors.inspection_action_plan(request.user, pk))


@login_required
@require_safe
def inspection_plan_xlsx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return documents.xlsx_response(selectors.inspection_action_plan(request.user, pk))


@login_required
@require_safe
def region_plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.region_action_plan(request.user, pk))


@login_required
@require_safe
def region_plan_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return documents.docx_response(selectors.region_action_plan(request.user, pk))


@login_required
@require_safe
def region_plan_xlsx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return documents.xlsx_response(selectors.region_action_plan(request.user, pk))

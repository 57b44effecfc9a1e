"""The Recurring recommendations page: the national picture of recommendations made again and again; and the
decision on a likely repeat found on import, taken from that page or from the recommendation's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.requests import AuthenticatedRequest
from core.pagination import page_or_404
from recommendations import permissions, services
from recommendations.forms import RepeatDecisionForm
from recommendations.models import RecurrenceLink
from recommendations.recurrence_selectors import recurring_groups, suggested_pairs, suggestion_for

GROUPS_PER_PAGE = 25


@login_required
@require_safe
def recurring_recommendations(request: AuthenticatedRequest) -> HttpResponse:
    """Every group of confirmed repeats the person may see (leads: within their scope), the most repeated first;
    for Inspectorate staff, the likely repeats waiting for their decision above them."""
    groups = recurring_groups(request.user)
    page = page_or_404(Paginator(groups, GROUPS_PER_PAGE), request.GET.get("page"))
    suggestions, waiting = suggested_pairs(request.user)
    context = {
        "page": page,
        "groups": page.object_list,
        "count": len(groups),
        "times": sum(group.times for group in groups),
        "suggestions": suggestions,
        "waiting": waiting,
    }
    return render(request, "recommendations/recurring.html", context)


@login_required
@require_POST
def decide_repeat(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Confirm a likely repeat (the same recommendation made again) or dismiss it: Inspectorate staff only (a lead
    who may see both recommendations is refused, 403; anyone else is told it does not exist, 404)."""
    link = suggestion_for(request.user, pk)
    if not permissions.can_decide_repeats(request.user):
        raise PermissionDenied("Only Inspectorate staff decide on repeats.")
    form = RepeatDecisionForm(request.POST)
    if not form.is_valid():
        raise BadRequest("Choose to confirm or to dismiss the suggestion.")
    repeat = form.cleaned_data["decision"] == "confirm"
    services.recurrence_decide(link=link, repeat=repeat, by=request.user)
    messages.success(request, _decided(link, repeat=repeat))
    shown_on = form.cleaned_data["shown_on"]
    if shown_on in (link.earlier_id, link.later_id):
        return redirect("recommendations:detail", shown_on)
    return redirect("recommendations:recurring")


def _decided(link: RecurrenceLink, *, repeat: bool) -> str:
    """'N57-PP-2025/H1 is confirmed as a repeat of N57-PP-2025/H2' (the banner after the decision)."""
    if repeat:
        return f"{link.later.reference} is confirmed as a repeat of {link.earlier.reference}"
    return f"{link.later.reference} is not a repeat of {link.earlier.reference}: the suggestion is dismissed"

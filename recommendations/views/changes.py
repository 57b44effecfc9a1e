"""What's changed: every event on the recommendations a person may see since a date, by default since their visit
before this one (recommendations/changes.py reads it, services.changes_visit_record remembers the visits)."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.requests import AuthenticatedRequest
from core.pagination import page_number, previous_next_params
from recommendations import changes, services
from recommendations.forms import ChangesForm
from recommendations.views.lists import filter_panel, selected_filters

# What a first visit shows: the last week.
FIRST_VISIT_DAYS = 7


@login_required
@require_safe
def whats_changed(request: AuthenticatedRequest) -> HttpResponse:
    now = timezone.now()
    previous = services.changes_visit_record(user=request.user, now=now)
    form = ChangesForm(request.GET, user=request.user)
    chosen = form.cleaned_data if form.is_valid() else {}
    day: datetime.date | None = chosen.get("since")
    since = _start_of(day) if day else previous or now - datetime.timedelta(days=FIRST_VISIT_DAYS)
    asked = changes.ChangeQuery(
        since=since,
        region_id=chosen.get("region"),
        inspection_id=chosen.get("inspection"),
        kinds=frozenset(chosen.get("kind") or (kind for kind, _ in changes.KINDS)),
    )
    number = page_number(request.GET.get("page"))
    found = changes.changes_page(request.user, asked, number)
    if number > 1 and not found.events:
        raise Http404("There is no such page: the list is shorter.")
    panel = {
        "form": form,
        "selected": selected_filters(request, form),  # each with a link that removes it, as on the list
        "filtered": any(value for key, value in request.GET.items() if key != "page"),
    }
    context = {
        **panel,
        "filter_panel": filter_panel(request, "recommendations/_changes_filter.html", panel),
        "pages": previous_next_params(number, found.has_next, request.GET),
        "first": (number - 1) * changes.PAGE_SIZE + 1,  # the number of the page's first event
        "events": found.events,
        "since": since,
        "since_visit": day is None and previous is not None,
        "first_visit": day is None and previous is None,
    }
    return render(request, "recommendations/changes.html", context)


def _start_of(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in UK time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

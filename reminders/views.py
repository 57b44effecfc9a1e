"""The signed-in person's own reminder preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.requests import AuthenticatedRequest
from reminders.forms import PreferenceForm
from reminders.models import WEEKDAYS
from reminders.services import reminder_preference_initial, reminder_preference_set


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            reminder_preference_set(user=request.user, **form.cleaned_data)
            messages.success(request, "Your reminder preferences have been saved.")
            return redirect("reminders:preferences")
    else:
        form = PreferenceForm(initial=reminder_preference_initial(request.user))
    context = {
        "form": form,
        "weekdays": WEEKDAYS,
        "chosen_frequency": form["frequency"].value(),
        "chosen_days": {str(day) for day in form["days"].value() or []},
        "chosen_weekly_day": str(form["weekly_day"].value()) if form["weekly_day"].value() is not None else "",
        # Escalations reach the Inspectorate, never a lead: only its staff are told about them here.
        "told_of_escalations": request.user.is_inspectorate,
        "led_regions": list(request.user.led_regions.order_by("name").values_list("name", flat=True)),
    }
    return render(request, "reminders/preferences.html", context)

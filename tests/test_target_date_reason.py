"""A target date, once set, never moves without a written reason: every path that can move one refuses it alike.

Each path below moves the same recommendation's date without a reason; each must refuse with the one message and
change nothing (no new date, no history row).
"""

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from recommendations import services
from recommendations.forms import OwnerForm
from recommendations.models import Recommendation
from tests.factories import make_recommendation, make_staff
from tests.support.admin_forms import change_form_data, change_url, current_values

pytestmark = pytest.mark.django_db

MESSAGE = "Give a reason for moving the target date."
STORED, MOVED = datetime.date(2026, 6, 30), datetime.date(2026, 12, 31)


def _service(recommendation: Recommendation, staff: User, client: Client) -> str:
    try:
        services.recommendation_set_target_date(recommendation=recommendation, target_date=MOVED, by=staff)
    except services.WorkflowError as error:
        return str(error.message)
    return ""


def _bulk_service(recommendation: Recommendation, staff: User, client: Client) -> str:
    try:
        services.recommendations_bulk_set_target_date(recommendations=[recommendation], target_date=MOVED, by=staff)
    except services.WorkflowError as error:
        # One of a batch: the message names which one, then says why.
        return str(error.message).removeprefix(f"{recommendation.reference}: ")
    return ""


def _web_form(recommendation: Recommendation, staff: User, client: Client) -> str:
    form = OwnerForm(
        {"owner-owner": "", "owner-target_date": MOVED.isoformat(), "owner-reason": ""},
        recommendation=recommendation,
    )
    form.is_valid()
    return " ".join(str(error) for error in form.errors.get("reason", []))


def _admin_form(recommendation: Recommendation, staff: User, client: Client) -> str:
    response = client.post(change_url(recommendation), change_form_data(recommendation, target_date="31/12/2026"))
    if response.status_code == 302:  # saved
        return ""
    return " ".join(response.context["adminform"].form.errors.get("change_reason", []))


def _admin_bulk_action(recommendation: Recommendation, staff: User, client: Client) -> str:
    data = {
        "action": "set_target_date",
        "_selected_action": [recommendation.pk],
        "apply": "yes",
        "target_date": "31/12/2026",
        "reason": "",
    }
    response = client.post(reverse("admin:recommendations_recommendation_changelist"), data, follow=True)
    if "form" not in response.context:  # applied: back on the change list
        return ""
    return " ".join(response.context["form"].errors.get("reason", []))


def _inspection_inline(recommendation: Recommendation, staff: User, client: Client) -> str:
    url = reverse("admin:inspections_inspection_change", args=[recommendation.inspection_id])
    data = current_values(client.get(url))
    data["recommendations-0-target_date"] = "31/12/2026"
    response = client.post(url, data)
    if response.status_code == 302:  # saved
        return ""
    return " ".join(response.context["inline_admin_formsets"][-1].formset.errors[0].get("change_reason", []))


PATHS: dict[str, Callable[[Recommendation, User, Client], str]] = {
    "service": _service,
    "bulk service": _bulk_service,
    "web form": _web_form,
    "admin form": _admin_form,
    "admin bulk action": _admin_bulk_action,
    "inspection inline": _inspection_inline,
}


@pytest.mark.parametrize("path", PATHS)
def test_every_path_refuses_a_moved_target_date_without_a_reason_with_one_message(client: Client, path: str) -> None:
    staff = make_staff()
    client.force_login(staff)
    make_recommendation(target_date=STORED)
    recommendation = Recommendation.objects.select_related("inspection").get()

    refusal = PATHS[path](recommendation, staff, client)

    assert refusal == MESSAGE
    assert Recommendation.objects.get().target_date == STORED
    assert recommendation.history.count() == 1


@pytest.mark.parametrize("path", PATHS)
def test_every_path_sets_a_first_target_date_without_a_reason(client: Client, path: str) -> None:
    staff = make_staff()
    client.force_login(staff)
    make_recommendation()
    recommendation = Recommendation.objects.select_related("inspection").get()

    refusal = PATHS[path](recommendation, staff, client)

    assert refusal == ""
    if path != "web form":  # the form only validates; its view saves through the service
        assert Recommendation.objects.get().target_date == MOVED

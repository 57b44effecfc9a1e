"""What the Django admin's recommendation change form posts, for tests that submit it."""

from django.urls import reverse

from recommendations.models import Recommendation


def change_url(recommendation: Recommendation) -> str:
    return reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])


def change_form_data(recommendation: Recommendation, **changes: object) -> dict[str, object]:
    """The change form as the admin would post it unchanged (empty inlines), with `changes` on top."""
    data: dict[str, object] = {
        "inspection": recommendation.inspection_id,
        "addressee": recommendation.addressee,
        "addressee_other": recommendation.addressee_other,
        "region": recommendation.region_id or "",
        "pdu": recommendation.pdu_id or "",
        "number": recommendation.number,
        "text": recommendation.text,
        "owner": recommendation.owner_id or "",
        "target_date": recommendation.target_date.strftime("%d/%m/%Y") if recommendation.target_date else "",
        "change_reason": "",
        "response": recommendation.response,
        "response_reason": recommendation.response_reason,
        "progress": recommendation.progress,
        "judgement": recommendation.judgement,
        "superseded_by": recommendation.superseded_by_id or "",
    }
    for prefix in ("follow_ups", "progress_updates", "actions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return data


def current_values(response) -> dict[str, object]:
    """The POST data that saves a change page as it was rendered (main form, every inline and its management form)."""
    forms, data = [response.context["adminform"].form], {}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): value for name, value in management.initial.items()})
        forms.extend(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not False:  # an unticked box is not posted
                data[form.add_prefix(name)] = "" if value is None else value
    return data

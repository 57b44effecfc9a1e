"""Forms and widgets of the admin: the recommendation form with its reason box, and the bulk actions' pages.

They only validate what the person typed; the model and the services decide whether a change is allowed.
"""

import datetime
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from inspections.admin import LoadedLabelAutocomplete
from recommendations import permissions
from recommendations.models import TARGET_DATE_MOVED_WITHOUT_REASON, Recommendation, target_date_refusal
from recommendations.services import WORKFLOW_ACTIONS


class LoadedLabelsForm[M: models.Model](forms.ModelForm[M]):
    """Gives each LoadedLabelAutocomplete the label of the object already cached on the instance."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if not isinstance(widget, LoadedLabelAutocomplete) or not isinstance(field, forms.ModelChoiceField):
                continue
            model_field = self.instance._meta.get_field(name)
            cached = isinstance(model_field, models.ForeignKey) and model_field.is_cached(self.instance)
            related = getattr(self.instance, name) if cached else None
            widget.loaded_labels = {str(related.pk): field.label_from_instance(related)} if related else {}
            if isinstance(self.instance, Recommendation) and self.instance.pk and name in SCOPED_FIELDS:
                widget.search_for = {"recommendation": str(self.instance.pk)}


# A recommendation's fields whose choices depend on who answers for it (permissions.py).
SCOPED_FIELDS = ("owner", "superseded_by")


def scoped_choices(request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """An admin autocomplete's choices for a recommendation's owner or replacement: only those the rules allow
    for the recommendation the change form names in the search's URL (any other search is left as it is)."""
    asked = request.GET
    source = (asked.get("app_label"), asked.get("model_name"), asked.get("field_name"))
    if source[:2] != ("recommendations", "recommendation") or source[2] not in SCOPED_FIELDS:
        return queryset
    if "recommendation" not in asked:
        return queryset
    pk = asked["recommendation"]
    recommendation = Recommendation.objects.filter(pk=pk).first() if pk.isdigit() else None
    if recommendation is None:
        return queryset.none()
    if source[2] == "owner":
        return queryset & permissions.eligible_owners(recommendation)
    return queryset.filter(permissions.answered_alike(recommendation)).exclude(pk=recommendation.pk)


class RecommendationAdminForm(LoadedLabelsForm[Recommendation]):
    """The recommendation form of the admin (and of its inline), with the reason kept in the history.

    The admin builds the form's Meta from its fieldsets, so none is declared here.
    """

    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        help_text="Required when you move the target date. Kept in the recommendation's history.",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # As the services: a closed one changes only by reopening (the report's inline shows closed rows too).
        if self.instance.pk and self.has_changed() and (refusal := self.instance.closed_refusal()):
            raise forms.ValidationError(refusal)
        # Recommendation.clean(), run next, reads the reason from the instance to allow a moved target date.
        self.instance._change_reason = cleaned.get("change_reason", "").strip()
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        # The model (target_date_refusal) puts its refusal on the date; show it once, by the box where
        # the reason goes.
        if list(self.errors.get("target_date", [])) == [TARGET_DATE_MOVED_WITHOUT_REASON]:
            del self.errors["target_date"]
            self.add_error("change_reason", TARGET_DATE_MOVED_WITHOUT_REASON)

    def history_reason(self) -> str:
        """What the history says about this save: the reason given, or which fields were edited."""
        given: str = self.cleaned_data.get("change_reason", "")
        if reason := given.strip():
            return reason
        if self.instance._state.adding:
            return "Added in the admin"
        edited = [str(self.fields[name].label).lower() for name in self.changed_data if name != "change_reason"]
        return f"Edited in the admin ({', '.join(edited)})" if edited else "Edited in the admin"

    def save(self, commit: bool = True) -> Recommendation:
        self.instance._change_reason = self.history_reason()
        if self.has_changed():  # an event, as the services record one: its "Last updated" (here or the report's inline)
            self.instance.last_updated_at = timezone.now()
        return super().save(commit)


def _reason_field(*, required: bool, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label="Reason for this change",
        required=required,
        help_text=help_text or "Kept in each recommendation's history.",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class OwnerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, user: User) -> str:
        region = f", {user.region}" if user.region_id else ""
        return f"{user} ({user.get_role_display()}{region})"


class BulkChangeForm(forms.Form):
    """A bulk action's form, which knows the recommendations selected."""

    def __init__(self, *args: Any, recommendations: Sequence[Recommendation] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recommendations = recommendations


class AssignOwnerForm(BulkChangeForm):
    owner: OwnerChoiceField = OwnerChoiceField(queryset=None, label="New owner")
    reason = _reason_field(required=False, help_text="Optional; without one the history says who the new owner is.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only people who may own every selected row (the service refuses anyone else too).
        owners = permissions.eligible_owners(*self.recommendations).select_related("region")
        cast(OwnerChoiceField, self.fields["owner"]).queryset = owners


class SetStatusForm(BulkChangeForm):
    # Not called 'action': the admin's changelist already posts the action's name under that key.
    step = forms.ChoiceField(label="Workflow step", choices=list(WORKFLOW_ACTIONS.items()))
    # Always asked in bulk: changing many recommendations at once deserves one written explanation.
    reason = _reason_field(required=True)


class SetTargetDateForm(BulkChangeForm):
    target_date = forms.DateField(label="New target date", widget=AdminDateWidget)
    reason = _reason_field(required=False, help_text="Required when a selected recommendation already has a date.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        new_date: datetime.date | None = cleaned.get("target_date")
        reason = cleaned.get("reason", "")
        refusals = {target_date_refusal(r.target_date, new_date, reason) for r in self.recommendations} - {""}
        if new_date and refusals:
            self.add_error("reason", refusals.pop())
        return cleaned

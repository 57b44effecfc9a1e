"""Forms and widgets of the admin: the recommendation form with its reason box, and the bulk actions' pages.

They only validate what the person typed; the model and the services decide whether a change is allowed.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.contrib.auth import get_user_model

from recommendations.models import Recommendation
from recommendations.services import WORKFLOW_ACTIONS

# Recommendation.clean() refuses a moved target date without a reason, with this message.
MOVED_WITHOUT_REASON = "Give a reason for moving the target date."


class LoadedLabelAutocomplete(AutocompleteSelect):
    """An autocomplete whose current choice is labelled from the row already loaded, not looked up again.

    Django's widget runs one query per form to label the selected object: 200 queries on an inline of 200 rows.
    LoadedLabelsForm fills `loaded_labels` from related objects fetched with select_related.
    """

    loaded_labels: dict[str, str] = {}

    def optgroups(self, name: str, value: list[str], attr: dict[str, Any] | None = None) -> list[Any]:
        selected = [str(v) for v in value if str(v) not in ("", "None")]
        if not selected or any(v not in self.loaded_labels for v in selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for option_value in selected:
            options.append(self.create_option(name, option_value, self.loaded_labels[option_value], True, len(options)))
        return [(None, options, 0)]


class LoadedLabelsForm(forms.ModelForm):
    """Gives each LoadedLabelAutocomplete the label of the object already cached on the instance."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if not isinstance(widget, LoadedLabelAutocomplete):
                continue
            model_field = self.instance._meta.get_field(name)
            related = getattr(self.instance, name) if model_field.is_cached(self.instance) else None
            widget.loaded_labels = {str(related.pk): field.label_from_instance(related)} if related else {}


class RecommendationAdminForm(LoadedLabelsForm):
    """The recommendation form of the admin (and of its inline), with the reason kept in the history.

    The admin builds the form's Meta from its fieldsets, so none is declared here.
    """

    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        help_text="Required when you move the target date. Kept in the recommendation's history.",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )

    def clean_owner(self) -> Any:
        owner = self.cleaned_data.get("owner")
        # Someone who has left may still own old work, but nothing new is given to them (as in the services).
        if owner is not None and not owner.is_active and "owner" in self.changed_data:
            raise forms.ValidationError("An owner must be an active user.")
        return owner

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Recommendation.clean(), run next, reads the reason from the instance to allow a moved target date.
        self.instance._change_reason = cleaned.get("change_reason", "").strip()
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        # The model puts its refusal on the date; show it once, by the box where the reason goes.
        if "target_date" in self._errors and list(self._errors["target_date"]) == [MOVED_WITHOUT_REASON]:
            del self._errors["target_date"]
            self.add_error("change_reason", MOVED_WITHOUT_REASON)

    def history_reason(self) -> str:
        """What the history says about this save: the reason given, or which fields were edited."""
        if reason := self.cleaned_data.get("change_reason", "").strip():
            return reason
        if self.instance._state.adding:
            return "Added in the admin"
        edited = [str(self.fields[name].label).lower() for name in self.changed_data if name != "change_reason"]
        return f"Edited in the admin ({', '.join(edited)})" if edited else "Edited in the admin"

    def save(self, commit: bool = True) -> Recommendation:
        self.instance._change_reason = self.history_reason()
        return super().save(commit)


def _reason_field(*, required: bool, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label="Reason for this change",
        required=required,
        help_text=help_text or "Kept in each recommendation's history.",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: Any) -> str:
        region = f", {user.region}" if user.region_id else ""
        return f"{user} ({user.get_role_display()}{region})"


class AssignOwnerForm(forms.Form):
    owner = OwnerChoiceField(queryset=get_user_model().objects.none(), label="New owner")
    reason = _reason_field(required=False, help_text="Optional; without one the history says who the new owner is.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only people who can sign in may own work (the service refuses inactive owners too).
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True).select_related("region")


class SetStatusForm(forms.Form):
    # Not called 'action': the admin's changelist already posts the action's name under that key.
    step = forms.ChoiceField(label="Workflow step", choices=list(WORKFLOW_ACTIONS.items()))
    # Always asked in bulk: changing many recommendations at once deserves one written explanation.
    reason = _reason_field(required=True)


class SetTargetDateForm(forms.Form):
    target_date = forms.DateField(label="New target date", widget=AdminDateWidget)
    reason = _reason_field(required=False, help_text="Required when a selected recommendation already has a date.")

    def __init__(self, *args: Any, recommendations: Sequence[Recommendation] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recommendations = recommendations

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        new_date: datetime.date | None = cleaned.get("target_date")
        moving = [r for r in self.recommendations if r.target_date is not None and r.target_date != new_date]
        if new_date and moving and not cleaned.get("reason", "").strip():
            self.add_error("reason", MOVED_WITHOUT_REASON)
        return cleaned

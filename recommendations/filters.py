"""The recommendation list's filters. The list page and both exports use this one FilterSet, so they agree.

Every choice that names data (regions, inspections, owners) comes from the signed-in person's scope: a filter
can narrow what they may see, never widen it, and a value outside their scope fails validation instead of
revealing that the object exists.
"""

import datetime
import functools
from typing import Any, cast

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator

from accounts.models import Person, User
from inspections.models import Inspection
from recommendations import filter_options, permissions
from recommendations.models import (
    ACTIVE_STATUSES,
    Addressee,
    Question,
    Recommendation,
    RecommendationQuerySet,
    Response,
    Status,
    reference_match,
)

YES_NO = (("yes", "Yes"), ("no", "No"))
# Typed dates: the GOV.UK style (31/3/2026) first, ISO (what a bookmarked URL may carry) as well.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %m %Y"]


def _visible(request: HttpRequest | None) -> RecommendationQuerySet:
    return permissions.visible_recommendations(request.user if request is not None else None)


def _sees_everything(request: HttpRequest | None) -> bool:
    """Inspectorate staff: any region, report or owner is in scope, so the choices need no subquery (which costs
    more to build, for every request of the list and the exports, than the rest of the filter's checks)."""
    return request is not None and permissions.scope_filter(request.user) is None


def inspections_in_scope(request: HttpRequest | None) -> QuerySet[Inspection]:
    """Inspections with at least one recommendation the person may see (every inspection, for staff)."""
    found = Inspection.objects.only("pk", "reference", "title").order_by("reference")
    if _sees_everything(request):
        return found
    return found.filter(Exists(_visible(request).filter(inspection=OuterRef("pk"))))


def owners_in_scope(request: HttpRequest | None) -> QuerySet[User]:
    """People who own at least one recommendation the person may see (anyone, for staff)."""
    if _sees_everything(request):
        return User.objects.all()
    visible = _visible(request).filter(owner=OuterRef("pk"))
    return User.objects.filter(Exists(visible))


def inspection_label(reference: str, title: str) -> str:
    return f"{reference}: {title}"


class InspectionChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: Inspection) -> str:
        return inspection_label(obj.reference, obj.title)


class InspectionFilter(django_filters.ModelChoiceFilter):
    field_class = InspectionChoiceField


class OptionFilter(django_filters.TypedChoiceFilter):
    """A region or a theme, by id, chosen from what its select offers: the same query gives the options and
    checks the choice (filter_options.regions_and_themes), so a region outside the person's scope is not a valid
    choice, and validating it costs no query of its own. The choices are set on each form (`offer_few_choices`)."""

    def __init__(self, **kwargs: Any) -> None:
        not_offered = {"invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]}
        super().__init__(choices=(), coerce=int, empty_value=None, error_messages=not_offered, **kwargs)


class RecommendationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text")
    region = OptionFilter(label="Region", widget=forms.Select)
    inspection = InspectionFilter(queryset=inspections_in_scope, empty_label="All inspections", widget=forms.Select)
    # Columns of the recommendation itself: no join can repeat a row, so no DISTINCT (which made PostgreSQL sort
    # every matching row, all columns wide, before taking a page).
    addressee = django_filters.MultipleChoiceFilter(
        choices=Addressee.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    response = django_filters.MultipleChoiceFilter(
        choices=Response.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    # Any owner in scope is a valid value (links and bookmarks carry ?owner=<id>), but the select offers only
    # "Nobody" and the chosen person: 2,000 people are found by typing a name (owner_name) instead.
    owner = django_filters.ModelChoiceFilter(
        queryset=owners_in_scope, empty_label="Anyone", null_label="Nobody (unassigned)", widget=forms.Select
    )
    owner_name = django_filters.CharFilter(label="Owner's name", method="filter_owner_name")
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_overdue", empty_label="Either", label="Overdue", widget=forms.Select
    )
    due_after = django_filters.DateFilter(
        field_name="target_date", lookup_expr="gte", label="Due on or after", input_formats=DATE_INPUT_FORMATS
    )
    due_before = django_filters.DateFilter(
        field_name="target_date", lookup_expr="lte", label="Due on or before", input_formats=DATE_INPUT_FORMATS
    )
    # Recommendation.last_updated_at: a range of its index (rec_last_updated), whatever the number of rows.
    updated_since = django_filters.DateFilter(
        label="Updated since", method="filter_updated_since", input_formats=DATE_INPUT_FORMATS
    )
    priority = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_priority", empty_label="Either", label="Priority", widget=forms.Select
    )
    theme = OptionFilter(field_name="themes", label="Theme", widget=forms.Select)
    # The Inspectorate's queue (the dashboard's "Waiting for you"); the list shows it oldest request first.
    waiting = django_filters.MultipleChoiceFilter(
        choices=Question.choices,
        method="filter_waiting",
        label="Waiting for a decision",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Recommendation
        fields: list[str] = []

    # The fields whose choices depend on who is asking, and the querysets that validate them for a request.
    SCOPED_QUERYSETS = {"inspection": inspections_in_scope, "owner": owners_in_scope}

    def get_form_class(self) -> type[forms.Form]:
        return _unscoped_form_class()

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form = super().form
            for name, in_scope in self.SCOPED_QUERYSETS.items():
                form.fields[name].queryset = in_scope(self.request)
            offer_few_choices(form, self.request)
        built: forms.Form = self._form  # set by FilterSet.form above (django-filter has no type hints)
        return built

    def filter_text(self, queryset: RecommendationQuerySet, name: str, value: str) -> RecommendationQuerySet:
        value = value.strip()
        if not value:
            return queryset
        matches = (
            Q(text__icontains=value)
            | Q(inspection__title__icontains=value)
            | Q(inspection__reference__icontains=value)
            | Q(addressee_other__icontains=value)
        )
        return queryset.filter(matches | reference_match(value))

    def filter_owner_name(self, queryset: RecommendationQuerySet, name: str, value: str) -> RecommendationQuerySet:
        """Every word typed is part of the owner's first name, surname or username."""
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(owner__first_name__icontains=word)
                | Q(owner__last_name__icontains=word)
                | Q(owner__username__icontains=word)
            )
        return queryset

    def filter_overdue(self, queryset: RecommendationQuerySet, name: str, value: str) -> RecommendationQuerySet:
        overdue = Q(status__in=ACTIVE_STATUSES, target_date__lt=timezone.localdate())
        return queryset.filter(overdue if value == "yes" else ~overdue)

    def filter_waiting(self, queryset: RecommendationQuerySet, name: str, value: list[str]) -> RecommendationQuerySet:
        return queryset.waiting_for_decision(value) if value else queryset

    def filter_updated_since(
        self, queryset: RecommendationQuerySet, name: str, value: datetime.date
    ) -> RecommendationQuerySet:
        return queryset.updated_since(value)

    def filter_priority(self, queryset: RecommendationQuerySet, name: str, value: str) -> RecommendationQuerySet:
        return queryset.filter(priority=value == "yes")


@functools.cache
def _unscoped_form_class() -> type[forms.Form]:
    """The filter's form class, built once a process: building its thirteen fields cost 1.5 ms a request (bench/).
    It is built for nobody, so its scoped fields accept nothing until `form` gives each form the person's scope."""
    form_class: type[forms.Form] = django_filters.FilterSet.get_form_class(RecommendationFilter(request=None))
    return form_class


REFERENCE_EMPTY_LABELS = {"region": "All regions", "theme": "Any"}


def offer_few_choices(form: forms.Form, request: HttpRequest | None) -> None:
    """Give the selects their options from filter_options.py's queries, each read once and only when needed,
    and the inspection and owner selects only a few; validation still accepts any inspection or owner in scope,
    through the fields' own querysets."""
    user = request.user if request is not None else None
    reference = functools.cache(lambda: filter_options.regions_and_themes(user))  # one query for both selects
    inspections = functools.cache(lambda: _inspection_options(form, user))  # rendering reads the choices twice
    for name, kind in (("region", filter_options.REGION), ("theme", filter_options.THEME)):
        empty = [("", REFERENCE_EMPTY_LABELS[name])]
        cast(forms.ChoiceField, form.fields[name]).choices = CallableChoiceIterator(
            lambda empty=empty, kind=kind: empty + reference()[kind]
        )
    form.fields["inspection"].widget.choices = CallableChoiceIterator(inspections)
    form.fields["owner"].widget.choices = CallableChoiceIterator(lambda: _owner_options(form))


def _selected(form: forms.Form, name: str) -> Any:
    """The valid value chosen for `name`, or None (a value out of scope is never shown back)."""
    if not form.is_bound or name in form.errors:  # form.errors validates the form, once
        return None
    return form.cleaned_data.get(name)


def _inspection_options(form: forms.Form, user: Person | None) -> list[tuple[Any, Any]]:
    """The newest reports in scope (in the chosen region, if one is), and the chosen report wherever it falls."""
    newest = filter_options.newest_inspections(user, _selected(form, "region"))
    offered = [(pk, inspection_label(reference, title)) for pk, reference, title in newest]
    chosen = _selected(form, "inspection")
    field = cast("forms.ModelChoiceField[Inspection]", form.fields["inspection"])
    if chosen is not None and chosen.pk not in {pk for pk, _ in offered}:
        offered.insert(0, (chosen.pk, field.label_from_instance(chosen)))
    return [("", field.empty_label), *offered]


def _owner_options(form: forms.Form) -> list[tuple[Any, Any]]:
    field = cast(django_filters.fields.ModelChoiceField, form.fields["owner"])  # it has a "none" choice
    chosen = _selected(form, "owner")
    person = [(chosen.pk, str(chosen))] if isinstance(chosen, User) else []
    return [("", field.empty_label), (field.null_value, field.null_label), *person]


def recommendation_filter(request: HttpRequest, data: Any) -> RecommendationFilter:
    """The filter for `request`'s person over only what they may see."""
    queryset = permissions.visible_recommendations(request.user)
    return RecommendationFilter(data, queryset=queryset, request=request)

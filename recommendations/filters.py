"""The recommendation list's filters. The list page and both exports use this one FilterSet, so they agree.

Every choice that names data (regions, inspections, owners) comes from the signed-in person's scope: a filter
can narrow what they may see, never widen it, and a value outside their scope fails validation instead of
revealing that the object exists.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from inspections.models import Inspection, Region
from recommendations import permissions
from recommendations.models import (
    ACTIVE_STATUSES,
    Addressee,
    Recommendation,
    Response,
    Status,
    Theme,
)

YES_NO = (("yes", "Yes"), ("no", "No"))
# Typed dates: the GOV.UK style (31/3/2026) first, ISO (what a bookmarked URL may carry) as well.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %m %Y"]


def _visible(request: HttpRequest | None) -> QuerySet:
    return permissions.visible_recommendations(getattr(request, "user", None))


def regions_in_scope(request: HttpRequest | None) -> QuerySet:
    """Regions that have at least one recommendation the person may see."""
    visible = _visible(request).filter(region=OuterRef("pk"))
    return Region.objects.filter(Exists(visible))


def inspections_in_scope(request: HttpRequest | None) -> QuerySet:
    """Inspections with at least one recommendation the person may see."""
    visible = _visible(request).filter(inspection=OuterRef("pk"))
    return Inspection.objects.filter(Exists(visible)).order_by("reference")


def owners_in_scope(request: HttpRequest | None) -> QuerySet:
    """People who own at least one recommendation the person may see."""
    visible = _visible(request).filter(owner=OuterRef("pk"))
    return User.objects.filter(Exists(visible))


class InspectionChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: Inspection) -> str:
        return f"{obj.reference}: {obj.title}"


class InspectionFilter(django_filters.ModelChoiceFilter):
    field_class = InspectionChoiceField


class RecommendationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text")
    region = django_filters.ModelChoiceFilter(queryset=regions_in_scope, empty_label="All regions")
    inspection = InspectionFilter(queryset=inspections_in_scope, empty_label="All inspections")
    addressee = django_filters.MultipleChoiceFilter(choices=Addressee.choices, widget=forms.CheckboxSelectMultiple)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, widget=forms.CheckboxSelectMultiple)
    response = django_filters.MultipleChoiceFilter(choices=Response.choices, widget=forms.CheckboxSelectMultiple)
    owner = django_filters.ModelChoiceFilter(
        queryset=owners_in_scope, empty_label="Anyone", null_label="Nobody (unassigned)"
    )
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_overdue", empty_label="Either", label="Overdue"
    )
    due_after = django_filters.DateFilter(
        field_name="target_date", lookup_expr="gte", label="Due on or after", input_formats=DATE_INPUT_FORMATS
    )
    due_before = django_filters.DateFilter(
        field_name="target_date", lookup_expr="lte", label="Due on or before", input_formats=DATE_INPUT_FORMATS
    )
    priority = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_priority", empty_label="Either", label="Priority"
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="themes", queryset=Theme.objects.all(), empty_label="Any", label="Theme"
    )

    class Meta:
        model = Recommendation
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        matches = (
            Q(text__icontains=value)
            | Q(inspection__title__icontains=value)
            | Q(inspection__reference__icontains=value)
            | Q(addressee_other__icontains=value)
        )
        return queryset.filter(matches | _reference_match(value))

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        overdue = Q(status__in=ACTIVE_STATUSES, target_date__lt=timezone.localdate())
        return queryset.filter(overdue if value == "yes" else ~overdue)

    def filter_priority(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(priority=value == "yes")


# Reference codes as Recommendation.addressee_code writes them (N57-PP-2025/R3).
_ADDRESSEE_BY_CODE = {
    "R": Addressee.REGION,
    "P": Addressee.PDU,
    "H": Addressee.HMPPS,
    "M": Addressee.MOJ,
    "O": Addressee.OTHER,
}


def _reference_match(value: str) -> Q:
    """A whole reference typed into the search box finds that recommendation."""
    inspection_reference, _, tail = value.rpartition("/")
    code, number = tail[:1].upper(), tail[1:]
    if not inspection_reference or code not in _ADDRESSEE_BY_CODE or not number.isdigit() or len(number) > 4:
        return Q(pk__in=[])
    return Q(inspection__reference__iexact=inspection_reference, addressee=_ADDRESSEE_BY_CODE[code], number=int(number))


def recommendation_filter(request: HttpRequest, data: Any) -> RecommendationFilter:
    """The filter for `request`'s person over only what they may see."""
    queryset = permissions.visible_recommendations(request.user)
    return RecommendationFilter(data, queryset=queryset, request=request)

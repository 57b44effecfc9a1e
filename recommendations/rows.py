"""Recommendations as table rows: the columns a list shows, read as tuples and formatted once per row.

My actions, the list, the dashboard and the inspection page show tens of rows on every view. As model instances
with their related objects, a reverse() per link and Django's date and truncation filters, a row cost about
0.25 ms (bench/); read this way it costs a few microseconds, and the query reads only these columns. Rows are plain
data; templates/recommendations/_table.html writes them.

    rows = recommendation_rows(queryset[:25])      # a sliced, ordered queryset of visible recommendations
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Left
from django.utils import timezone

from accounts.models import User
from core.dates import short_date
from core.links import url_for
from inspections.models import ProbationDeliveryUnit, Region
from recommendations.addressees import ADDRESSEE_CODES
from recommendations.models import ACTIVE_STATUSES, Addressee, Recommendation, Status, status_colour

SUMMARY_LENGTH = 150  # characters of the recommendation's text a row shows
_STATUS_LABELS: dict[str, str] = {status.value: str(status.label) for status in Status}

_COLUMNS = (
    "pk",
    "inspection_id",
    "inspection__reference",
    "inspection__title",
    "addressee",
    "addressee_other",
    "number",
)
# The names of the region, the PDU and the owner, read by subqueries in the select list: joining their three tables
# made PostgreSQL plan a join of five tables on every view of the list, which cost more than running it (1.2-1.9 ms
# against 0.6, bench/).
_PEOPLE_AND_PLACES = ("region_name", "pdu_name", "owner_first_name", "owner_last_name", "owner_username")
_LAST_COLUMNS = ("target_date", "status", "summary", "last_updated_at")
# Short tables show no region, addressee or owner: each join left out saves a quarter of a millisecond (bench/).
_NOT_READ = (None,) * len(_PEOPLE_AND_PLACES)

# A row_values() query: the recommendations as tuples of the columns a row needs.
RowValues = QuerySet[Recommendation, tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class RecommendationRow:
    pk: int
    reference: str
    url: str
    summary: str  # the text, shortened to SUMMARY_LENGTH characters
    addressee: str
    addressee_name: str
    inspection_title: str
    inspection_url: str
    region_name: str  # with_people only, like the next two
    owner_name: str  # "" when nobody owns it
    target_date: datetime.date | None
    target_date_label: str  # "3 Mar 2026", or "None set"
    status: str
    status_label: str  # "Open", "Closed: implemented"
    status_colour: str  # its tag's colour (models.status_colour)
    overdue: bool  # active and past its target date
    last_updated_label: str  # the day something was last recorded on it, "3 Mar 2026" (UK time)
    extra: tuple[Any, ...] = ()  # the values of the caller's own annotations (`extra` of recommendation_rows)

    def __str__(self) -> str:
        return self.reference


def recommendation_rows(
    queryset: QuerySet[Recommendation],
    today: datetime.date | None = None,
    *,
    with_people: bool = False,
    extra: tuple[str, ...] = (),
) -> list[RecommendationRow]:
    """One row per recommendation of `queryset` (ordered and sliced by the caller), in one query. Only
    `with_people` rows name the region, the addressee and the owner. `extra` names annotations of the queryset whose
    values each row carries in `row.extra`."""
    return rows_from_values(row_values(queryset, with_people=with_people, extra=extra), today, with_people=with_people)


def short_lists_values(lists: Mapping[str, QuerySet[Recommendation]], extra: tuple[str, ...] = ()) -> RowValues:
    """Several short tables' rows in one query (UNION ALL): each queryset is ordered and sliced by the caller and
    annotated with the `extra` values its rows carry after their list's key (every list the same names; an
    "asked_at" among them orders a list before its target dates); a recommendation may be in more than one list."""
    parts = [
        row_values(queryset.annotate(short_list=Value(key)), extra=("short_list", *extra))
        for key, queryset in lists.items()
    ]
    asked_first = [F("asked_at").asc(nulls_last=True)] if "asked_at" in extra else []
    order = (F("inspection__reference"), F("addressee"), F("number"), F("pk"))
    return (
        parts[0]
        .union(*parts[1:], all=True)
        .order_by(F("short_list"), *asked_first, F("target_date").asc(nulls_last=True), *order)
    )


def short_lists_from_values(
    found: Iterable[tuple[Any, ...]], keys: list[str], today: datetime.date | None = None
) -> dict[str, list[RecommendationRow]]:
    lists: dict[str, list[RecommendationRow]] = {key: [] for key in keys}
    for row in rows_from_values(found, today):
        lists[row.extra[0]].append(row)
    return lists


def row_values(
    queryset: QuerySet[Recommendation], *, with_people: bool = False, extra: tuple[str, ...] = ()
) -> RowValues:
    """The query of recommendation_rows: `queryset` as tuples of the columns a row needs (then `extra`)."""
    queryset = queryset.annotate(summary=Left("text", SUMMARY_LENGTH + 1))
    if not with_people:
        return queryset.values_list(*_COLUMNS, *_LAST_COLUMNS, *extra)
    return queryset.annotate(**_names()).values_list(*_COLUMNS, *_PEOPLE_AND_PLACES, *_LAST_COLUMNS, *extra)


def _names() -> dict[str, Subquery]:
    def name(model: type[Model], foreign_key: str, column: str) -> Subquery:
        return Subquery(model._default_manager.filter(pk=OuterRef(foreign_key)).order_by().values(column))

    return {
        "region_name": name(Region, "region_id", "name"),
        "pdu_name": name(ProbationDeliveryUnit, "pdu_id", "name"),
        **{f"owner_{column}": name(User, "owner_id", column) for column in ("first_name", "last_name", "username")},
    }


def rows_from_values(
    found: Iterable[tuple[Any, ...]], today: datetime.date | None = None, *, with_people: bool = False
) -> list[RecommendationRow]:
    """Rows from the tuples of a row_values() query, however they were read."""
    today = today or timezone.localdate()
    detail_url, inspection_url = url_for("recommendations:detail"), url_for("inspections:detail")
    head = len(_COLUMNS)
    people = head + (len(_PEOPLE_AND_PLACES) if with_people else 0)
    tail = people + len(_LAST_COLUMNS)
    return [
        _row(
            (*values[:head], *(values[head:people] if with_people else _NOT_READ), *values[people:tail]),
            today,
            detail_url,
            inspection_url,
            values[tail:],
            with_people,
        )
        for values in found
    ]


def _row(
    values: tuple[Any, ...],
    today: datetime.date,
    detail_url: Callable[[int], str],
    inspection_url: Callable[[int], str],
    extra: tuple[Any, ...],
    with_people: bool,
) -> RecommendationRow:
    (pk, inspection_pk, inspection_reference, inspection_title, addressee, addressee_other, number, region_name,
     pdu_name, first_name, last_name, username, target_date, status, text, last_updated) = values  # fmt: skip
    return RecommendationRow(
        pk=pk,
        reference=f"{inspection_reference}/{ADDRESSEE_CODES.get(addressee, 'O')}{number}",
        url=detail_url(pk),
        summary=shorten(text),
        addressee=addressee,
        addressee_name=addressee_name_of(addressee, region_name, pdu_name, addressee_other) if with_people else "",
        inspection_title=inspection_title,
        inspection_url=inspection_url(inspection_pk),
        region_name=region_name or "",
        owner_name=(f"{first_name} {last_name}".strip() or username) if username else "",
        target_date=target_date,
        target_date_label=short_date(target_date) or "None set",
        status=status,
        status_label=_STATUS_LABELS.get(status, status),
        status_colour=status_colour(status),
        overdue=status in ACTIVE_STATUSES and bool(target_date) and target_date < today,
        last_updated_label=short_date(timezone.localdate(last_updated)),
        extra=extra,
    )


def addressee_name_of(addressee: str, region_name: str | None, pdu_name: str | None, other: str) -> str:
    if addressee == Addressee.REGION and region_name:
        return region_name
    if addressee == Addressee.PDU and pdu_name:
        return pdu_name
    if addressee == Addressee.OTHER and other:
        return other
    return Addressee(addressee).label if addressee in Addressee.values else addressee


def shorten(text: str, length: int = SUMMARY_LENGTH) -> str:
    """The text cut to `length` characters, the last one an ellipsis, as Django's truncatechars does."""
    return text if len(text) <= length else f"{text[: length - 1].rstrip()}…"

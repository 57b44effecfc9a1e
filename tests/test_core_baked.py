"""Baked queries (core/baked.py): compiled once per shape, run with new values, the same rows as the ORM's."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from core.baked import BakedQuery
from recommendations.models import Addressee, Recommendation
from tests.factories import make_inspection, make_recommendation

DAY = datetime.date(2026, 3, 10)


def _due(shape: str, inspection_id: int, before: datetime.date, addressee: str) -> QuerySet:
    found = Recommendation.objects.filter(inspection_id=inspection_id, target_date__lt=before, addressee=addressee)
    order = ("-target_date", "pk") if shape == "latest-first" else ("target_date", "pk")
    return found.order_by(*order).values_list("pk", "target_date")


@pytest.mark.django_db
def test_rows_are_the_orms_for_any_values_and_compiled_once_per_shape() -> None:
    built = []
    query = BakedQuery(lambda shape, **values: built.append(shape) or _due(shape, **values))
    inspections = [make_inspection(), make_inspection()]
    for inspection in inspections:
        for days in (1, 5, 9, 20):
            make_recommendation(inspection, target_date=DAY + datetime.timedelta(days=days))
        make_recommendation(inspection, target_date=DAY, addressee=Addressee.HMPPS, region=None)
    for shape in ("earliest-first", "latest-first", "earliest-first"):
        for inspection in inspections:
            for days, addressee in ((10, "region"), (30, "region"), (0, "region"), (1, "hmpps")):
                values = {
                    "inspection_id": inspection.pk,
                    "before": DAY + datetime.timedelta(days),
                    "addressee": addressee,
                }
                assert query.rows(shape, **values) == list(_due(shape, **values)), (shape, values)
    assert built == ["earliest-first", "latest-first"]


@pytest.mark.django_db
def test_a_run_is_one_query() -> None:
    inspection = make_inspection()
    query = BakedQuery(lambda shape, **values: _due(shape, **values))
    query.rows("earliest-first", inspection_id=inspection.pk, before=DAY, addressee="region")
    with CaptureQueriesContext(connection) as captured:
        query.rows("earliest-first", inspection_id=inspection.pk + 1, before=DAY, addressee="hmpps")
    assert len(captured) == 1


@pytest.mark.django_db
def test_a_shape_that_matches_nothing_runs_no_query() -> None:
    query = BakedQuery(lambda shape, pk: Recommendation.objects.filter(pk__in=[], inspection_id=pk).values_list("pk"))
    with CaptureQueriesContext(connection) as captured:
        assert query.rows("nothing", pk=1) == []
        assert query.rows("nothing", pk=2) == []
    assert len(captured) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        {"limit": 3},  # LIMIT is written into the SQL
        {"word": "late"},  # contains reaches the SQL as "%late%"
        {"flag": True},
        {"missing": None},
        {"when": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)},
    ],
)
def test_values_that_would_be_frozen_into_the_sql_are_refused(values: dict) -> None:
    def build(shape: str, **given: object) -> QuerySet:
        found = Recommendation.objects.filter(priority=bool(given.get("flag")), text__contains=given.get("word", ""))
        return found.values_list("pk")[: int(given.get("limit", 1))]  # type: ignore[call-overload, arg-type]

    with pytest.raises(ImproperlyConfigured):
        BakedQuery(build).rows("shape", **values)


@pytest.mark.django_db
def test_values_come_back_as_the_orm_converts_them() -> None:
    made = make_recommendation(target_date=DAY)
    query = BakedQuery(lambda shape, pk: Recommendation.objects.filter(pk=pk).values_list("created_at", "target_date"))
    assert query.rows("one", pk=made.pk) == list(
        Recommendation.objects.filter(pk=made.pk).values_list("created_at", "target_date")
    )
    assert query.rows("one", pk=made.pk)[0][0].tzinfo is not None  # an aware datetime on every database


@pytest.mark.django_db
def test_pages_of_a_shape_are_the_orms_slices_in_one_statement() -> None:
    inspection = make_inspection()
    for days in range(7):
        make_recommendation(inspection, target_date=DAY + datetime.timedelta(days=days))
    query = BakedQuery(lambda shape, **values: _due(shape, **values))
    values = {"inspection_id": inspection.pk, "before": DAY + datetime.timedelta(days=30), "addressee": "region"}
    statements = set()
    for offset in (0, 3, 6, 9):
        with CaptureQueriesContext(connection) as captured:
            page = query.page("latest-first", 3, offset, **values)
        assert page == list(_due("latest-first", **values)[offset : offset + 3])
        statements.add(captured[0]["sql"].split(" LIMIT ")[0])
    assert len(statements) == 1


@pytest.mark.django_db
def test_past_max_shapes_the_statements_are_made_again() -> None:
    built = []
    query = BakedQuery(lambda shape, **values: built.append(shape) or _due(shape, **values), max_shapes=1)
    values = {"inspection_id": make_inspection().pk, "before": DAY, "addressee": "region"}
    for shape in ("earliest-first", "earliest-first", "latest-first", "earliest-first"):
        query.rows(shape, **values)
    assert built == ["earliest-first", "latest-first", "earliest-first"]

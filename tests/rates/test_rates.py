"""recommendations/rates.py against real PostgreSQL: implemented within 6/12/24 months, open items by age, target
date slippage; each one query whatever the number of groups."""

import datetime

import pytest
import time_machine

from accounts.models import Role
from recommendations import rates, services
from recommendations.models import Addressee, Recommendation
from tests.factories import SOUTH_CENTRAL, make_inspection, make_recommendation, make_region, make_user

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.date(2024, 1, 31)


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def _close(recommendation: Recommendation, on: datetime.date, action: str = "close_implemented") -> None:
    staff = make_user(Role.INSPECTORATE)
    with time_machine.travel(_at(on), tick=False):
        services.recommendation_transition(recommendation=recommendation, action=action, by=staff, reason="Seen")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2024, 8, 31), 6, datetime.date(2025, 2, 28)),
        (datetime.date(2024, 3, 15), -6, datetime.date(2023, 9, 15)),
        (datetime.date(2024, 12, 1), 24, datetime.date(2026, 12, 1)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_month_end(day, months, expected):
    assert rates.add_months(day, months) == expected


def test_implemented_within_counts_from_the_closure_day_against_the_same_day_months_later():
    inspection = make_inspection(published_on=PUBLISHED)
    on_the_day, day_after, within_a_year, late, not_implemented = (make_recommendation(inspection) for _ in range(5))
    make_recommendation(inspection)  # still open
    _close(on_the_day, datetime.date(2024, 7, 31))  # exactly 6 months
    _close(day_after, datetime.date(2024, 8, 1))  # 6 months and a day: within 12
    _close(within_a_year, datetime.date(2025, 1, 31))
    _close(late, datetime.date(2026, 2, 1))  # over 24 months
    _close(not_implemented, datetime.date(2024, 2, 1), action="close_not_implemented")

    [row] = rates.implementation_rates(Recommendation.objects.all(), today=datetime.date(2026, 6, 1))

    assert (row.label, row.year, row.total) == ("Kent, Surrey and Sussex", 2024, 6)
    assert [(p.months, p.implemented, p.share, p.complete) for p in row.periods] == [
        (6, 1, 17, True),
        (12, 3, 50, True),
        (24, 3, 50, True),
    ]


def test_rates_are_grouped_by_region_or_addressee_and_year_and_say_when_still_counting():
    kent = make_inspection(published_on=datetime.date(2025, 11, 1))
    south = make_inspection(make_region(SOUTH_CENTRAL), published_on=datetime.date(2024, 3, 1))
    make_recommendation(kent)
    make_recommendation(kent, addressee=Addressee.HMPPS, region=None)
    make_recommendation(south)

    today = datetime.date(2026, 2, 28)  # the day before 24 months of the 2024 report
    by_region = rates.implementation_rates(Recommendation.objects.all(), today=today)
    by_addressee = rates.implementation_rates(Recommendation.objects.all(), by="addressee", today=today)

    assert [(r.label, r.year, r.total) for r in by_region] == [
        ("Kent, Surrey and Sussex", 2025, 1),
        ("South Central", 2024, 1),
        (rates.NO_REGION, 2025, 1),
    ]
    assert [p.complete for p in by_region[0].periods] == [False, False, False]
    assert [p.complete for p in by_region[1].periods] == [True, True, False]
    assert [(r.label, r.year, r.total) for r in by_addressee] == [
        ("HMPPS", 2025, 1),
        ("Region", 2024, 1),
        ("Region", 2025, 1),
    ]


def test_open_by_age_bands_since_publication():
    today = datetime.date(2026, 6, 1)
    for published in (datetime.date(2026, 1, 1), datetime.date(2025, 6, 1), datetime.date(2024, 1, 1), None):
        make_recommendation(make_inspection(published_on=published))
    _close(make_recommendation(make_inspection(published_on=datetime.date(2026, 1, 1))), datetime.date(2026, 2, 1))

    [row] = rates.open_by_age(Recommendation.objects.all(), today=today)

    assert row.bands == (1, 0, 1, 1)  # 5 months; exactly 12 months (from 12 on); 29 months
    assert (row.undated, row.total) == (1, 4)


def test_slippage_compares_the_first_target_date_with_the_current_one():
    staff = make_user(Role.INSPECTORATE)
    moved, kept = make_recommendation(), make_recommendation()
    make_recommendation()  # no target date: not counted
    first = datetime.date(2026, 1, 31)
    for recommendation in (moved, kept):
        services.recommendation_set_target_date(recommendation=recommendation, target_date=first, by=staff)
    for later in (datetime.date(2026, 3, 2), datetime.date(2026, 4, 1)):
        services.recommendation_set_target_date(recommendation=moved, target_date=later, by=staff, reason="Staff")

    [row] = rates.target_date_slippage(Recommendation.objects.all())

    assert (row.with_target_date, row.moved, row.moves, row.days_later) == (2, 1, 2, 60)
    assert row.average_days_later == 60


def test_each_is_one_query_whatever_the_groups(django_assert_num_queries):
    for code in ("N57", SOUTH_CENTRAL):
        inspection = make_inspection(make_region(code))
        make_recommendation(inspection)
        make_recommendation(inspection, addressee=Addressee.MOJ, region=None)
    queryset = Recommendation.objects.all()
    for by in ("region", "addressee"):
        with django_assert_num_queries(3):
            rates.implementation_rates(queryset, by=by)
            rates.open_by_age(queryset, by=by)
            rates.target_date_slippage(queryset, by=by)


def test_csv_rows_carry_a_header_and_each_period():
    make_recommendation(make_inspection(published_on=PUBLISHED))
    lines = rates.rows_as_csv(rates.implementation_rates(Recommendation.objects.all()))
    assert lines[0][:4] == ["Group", "Year of publication", "Recommendations", "Implemented within 6 months"]
    assert lines[1][:4] == ["Kent, Surrey and Sussex", 2024, 1, 0]

"""The names of a page's regions, PDUs and owners (recommendations/row_names.py): one query, any number of ids."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from inspections.models import ProbationDeliveryUnit, Region
from recommendations.row_names import _batched, names_of
from tests.factories import make_user


@pytest.mark.parametrize(("count", "places"), [(0, 0), (1, 1), (3, 4), (9, 16), (25, 25), (26, 50), (51, 75)])
def test_ids_are_padded_to_a_few_sizes_with_an_id_already_asked_for(count: int, places: int) -> None:
    ids = list(range(100, 100 + count))
    batch = _batched(set(ids))
    assert len(batch) == places
    assert set(batch) == set(ids)


@pytest.mark.django_db
@pytest.mark.parametrize("owners", [0, 1, 5, 30])
def test_names_of_any_number_of_ids_in_one_query(owners: int) -> None:
    people = [make_user(Role.REGIONAL_LEAD, first_name=f"First{n}", last_name=f"Last{n}") for n in range(owners)]
    regions = list(Region.objects.all()[:3])
    pdus = list(ProbationDeliveryUnit.objects.all()[:7])
    assert len(regions) == 3 and len(pdus) == 7  # seeded with the reference data
    with CaptureQueriesContext(connection) as captured:
        names = names_of({r.pk for r in regions}, {p.pk for p in pdus}, {p.pk for p in people})
    assert len(captured) == 1
    assert names.regions == {r.pk: r.name for r in regions}
    assert names.pdus == {p.pk: p.name for p in pdus}
    assert names.owners == {p.pk: (p.first_name, p.last_name, p.username) for p in people}

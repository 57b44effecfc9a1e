"""The names of the regions, PDUs and owners on a page of the list, read by one baked query (core/baked.py).

Joining the region, PDU and owner tables into the list's query made PostgreSQL plan a join of five tables on every
view, which cost more than running it (1.2-1.9 ms against 0.6 ms); subqueries in its select list cost Django 2 ms
to build and compile. The page's query reads their ids, and this one query reads the names of those ids only.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Value

from accounts.models import User
from core.baked import BakedQuery
from inspections.models import ProbationDeliveryUnit, Region

# Ids are read in batches of one of these sizes (the last is the list's page size), the unused places repeating an
# id already asked for, so that a page of any length runs one of a few SQL statements. A page names one region, a
# few PDUs and a dozen owners: the smaller sizes keep the statement short (psycopg reparses one of over 50
# parameters on every run) and PostgreSQL's IN lists small.
SIZES = (1, 2, 4, 8, 16, 25)
BATCH = SIZES[-1]
_KINDS = ("region", "pdu", "owner")


@dataclass(frozen=True)
class Names:
    regions: dict[int, str]
    pdus: dict[int, str]
    owners: dict[int, tuple[str, str, str]]  # first name, last name, username


def _batched(ids: Collection[int]) -> list[int]:
    found = sorted(ids)
    if not found:
        return []
    places = next((size for size in SIZES if size >= len(found)), -(-len(found) // BATCH) * BATCH)
    return found + [found[0]] * (places - len(found))


def _names_query(shape: tuple[int, int, int], **ids: Any) -> QuerySet:
    blank = Value("")
    parts = [
        Region.objects.annotate(kind=Value("region"), a=blank, b=blank).values_list("kind", "pk", "name", "a", "b"),
        ProbationDeliveryUnit.objects.annotate(kind=Value("pdu"), a=blank, b=blank).values_list(
            "kind", "pk", "name", "a", "b"
        ),
        User.objects.annotate(kind=Value("owner")).values_list("kind", "pk", "first_name", "last_name", "username"),
    ]
    chosen = [
        part.order_by().filter(pk__in=[ids[f"{kind}{number}"] for number in range(size)])
        for kind, part, size in zip(_KINDS, parts, shape, strict=True)
        if size
    ]
    return chosen[0].union(*chosen[1:], all=True)


_NAMES = BakedQuery(_names_query)


def names_of(region_ids: Collection[int], pdu_ids: Collection[int], owner_ids: Collection[int]) -> Names:
    """The names of these regions, PDUs and owners, in one query (none when every collection is empty)."""
    batches = [_batched(ids) for ids in (region_ids, pdu_ids, owner_ids)]
    names = Names({}, {}, {})
    shape = tuple(len(batch) for batch in batches)
    if not any(shape):
        return names
    values = {
        f"{kind}{number}": pk for kind, batch in zip(_KINDS, batches, strict=True) for number, pk in enumerate(batch)
    }
    for kind, pk, first, second, third in _NAMES.rows(shape, **values):
        if kind == "owner":
            names.owners[pk] = (first, second, third)
        else:
            (names.regions if kind == "region" else names.pdus)[pk] = first
    return names

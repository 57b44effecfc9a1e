"""Querysets compiled to SQL once per process and run again with new values ("baked" queries, as SQLAlchemy has).

Building and compiling a queryset with a window, a union or a few joins costs Django 0.5 to 1.5 ms, more than
PostgreSQL takes to run it, and a page pays it on every view although only the values change (bench/). A baked query
is built once per shape from marker values; each run puts the real values where the markers are in the parameters.

    FINDINGS = BakedQuery(lambda shape, inspection_id: Finding.objects.filter(inspection_id=inspection_id)...)
    rows = FINDINGS.rows((), inspection_id=7)           # tuples, as values_list() gives them

`build(shape, **values)` must return a values_list() queryset whose SQL depends only on `shape` (which must say
everything else that changes the SQL: a role, whether a value is None, a list's length). A value that does not
reach the SQL as a parameter is refused when the query is baked, not silently frozen into it.

A page of an ordered, unsliced query is read with `page(shape, limit, offset, **values)`: the limit and offset are
parameters, so every page of a shape runs the same statement. A query whose shapes come from what people choose
(the list's filters) is given `max_shapes`: past that many, the baked statements are dropped and made again.
"""

import datetime
import itertools
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

_numbers = itertools.count(1)


@dataclass(frozen=True)
class _Baked:
    sql: str
    params: tuple[Any, ...]
    compiler: Any  # Django's compiler of the query: it converts what the database returns (SQLite's dates)
    converters: dict[int, Any]
    places: tuple[tuple[int, str, Callable[[Any], Any]], ...]  # (position in params, value's name, its wrapping)


class BakedQuery:
    def __init__(self, build: Callable[..., QuerySet], using: str = "default", max_shapes: int | None = None) -> None:
        self.build = build
        self.using = using
        self.max_shapes = max_shapes
        self._baked: dict[Hashable, _Baked | None] = {}  # None: the shape matches nothing (no query at all)
        self._lock = threading.Lock()

    def rows(self, shape: Hashable, **values: Any) -> list[tuple[Any, ...]]:
        """The query's rows for these values, in one round trip and no compiling after the first time."""
        return self._run(shape, values)

    def page(self, shape: Hashable, limit: int, offset: int, **values: Any) -> list[tuple[Any, ...]]:
        """`limit` rows from `offset` of the query's rows (which `build` must order and not slice)."""
        return self._run(shape, values, (limit, offset))

    def _run(self, shape: Hashable, values: dict[str, Any], window: tuple[int, int] | None = None) -> list[tuple]:
        baked = self._baked[shape] if shape in self._baked else self._bake(shape, values)
        if baked is None:
            return []
        params = list(baked.params)
        for position, name, wrap in baked.places:
            params[position] = wrap(values[name])
        sql = baked.sql
        if window is not None:
            sql += " LIMIT %s OFFSET %s"
            params.extend(window)
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if baked.converters:
            return [tuple(row) for row in baked.compiler.apply_converters(rows, baked.converters)]
        return rows

    def _bake(self, shape: Hashable, values: dict[str, Any]) -> _Baked | None:
        markers = {name: _marker(name, value) for name, value in values.items()}
        compiler = self.build(shape, **markers).query.get_compiler(using=self.using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            baked = None
        else:
            converters = compiler.get_converters([column for column, _, _ in compiler.select[: compiler.col_count]])
            baked = _Baked(sql, tuple(params), compiler, converters, _places(params, markers))
        with self._lock:
            if self.max_shapes is not None and len(self._baked) >= self.max_shapes:
                self._baked.clear()
            self._baked[shape] = baked
        return baked


def _places(params: tuple[Any, ...], markers: dict[str, Any]) -> tuple[tuple[int, str, Callable[[Any], Any]], ...]:
    """Where each marker landed in the parameters, and how the database backend wrapped it there (PostgreSQL's
    bigint wrapper, SQLite's dates as text), so that the real value is wrapped the same way."""
    places = []
    for position, param in enumerate(params):
        for name, marker in markers.items():
            if isinstance(param, type(marker)) and param == marker:
                places.append((position, name, _identity if type(param) is type(marker) else type(param)))
            elif isinstance(param, str) and not isinstance(marker, str) and param == str(marker):
                places.append((position, name, str))
    missing = set(markers) - {name for _, name, _ in places}
    if missing:
        raise ImproperlyConfigured(
            f"Baked query: {sorted(missing)} never reach the SQL as parameters; put them in the shape"
        )
    return tuple(places)


def _identity(value: Any) -> Any:
    return value


def _marker(name: str, value: Any) -> Any:
    """A value of the same type as `value` that nothing else in a query will equal."""
    number = next(_numbers)
    if isinstance(value, bool) or value is None:
        raise ImproperlyConfigured(f"Baked query: {name}={value!r} changes the SQL; put it in the shape")
    if isinstance(value, int):
        return 10**15 + number
    if isinstance(value, datetime.datetime):
        raise ImproperlyConfigured(f"Baked query: {name} is a datetime; not supported")
    if isinstance(value, datetime.date):
        return datetime.date(1000, 1, 1) + datetime.timedelta(days=number)
    if isinstance(value, str):
        return f"\u2063baked-{number}-{name}\u2063"
    raise ImproperlyConfigured(f"Baked query: {name} has a type ({type(value).__name__}) that cannot be baked")

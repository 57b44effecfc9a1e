"""SQL queries of one page, counted in-process with Django's test client against the same database as the server.

Streamed responses are consumed inside the capture, so the queries of a CSV export are counted too.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User


@dataclass(frozen=True)
class PageQueries:
    status: int
    count: int
    slowest: list[tuple[float, str]]  # (seconds, SQL) of the slowest few
    lines: int = 0  # of a streamed response (the CSV export's rows + 1)
    sql_ms: float = 0.0  # time spent in the database, in-process

    def sql_touching(self, table: str) -> list[str]:
        return [sql for _, sql in self.slowest if table in sql]


def signed_in_client(user: User) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def session_cookie(user: User) -> str:
    """A session made in the database for `user`: the server (same SECRET_KEY) accepts its cookie."""
    client = signed_in_client(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def count_queries(user: User, path: str, keep: int = 4) -> PageQueries:
    client = signed_in_client(user)
    client.get(path)  # warm caches that a first request fills (content types, permissions)
    lines = 0
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if isinstance(response, StreamingHttpResponse):
            lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    timed = sorted(((float(query["time"]), query["sql"]) for query in captured.captured_queries), reverse=True)
    sql_ms = sum(seconds for seconds, _ in timed) * 1000
    return PageQueries(response.status_code, len(captured.captured_queries), timed[:keep], lines, sql_ms)

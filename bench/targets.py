"""What the runner measures: each page with the person who views it, and a SMALL variant of the same page (few
rows, a short timeline) whose query count must equal the large one's: a count that grows with rows is an N+1.

A page whose route does not exist yet becomes a "not built yet" row instead of failing the run.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Role, User
from inspections.models import Inspection
from recommendations.models import ACTIVE_STATUSES, Recommendation, RoundScope, UpdateRound

CSV_ROWS = 10_000
# A page's p95 may be this many times the floor's (issue 13: the ORM writes every query). A page not listed keeps
# report.FLOOR_RATIO.
APP_PAGE_RATIO = 6.0


@dataclass(frozen=True)
class Variant:
    path: str
    user: User
    note: str


@dataclass(frozen=True)
class Target:
    key: str
    title: str
    large: Variant | None
    small: Variant | None = None
    not_built: str = ""
    streamed: bool = False
    floor_ratio: float = 4.0  # its p95 at most this many times the floor's (issue 13: 6x app pages, 8x stock admin)


@dataclass(frozen=True)
class Personas:
    admin: User
    busy_lead: User
    quiet_lead: User
    busy_active: int  # how many active recommendations each lead owns
    quiet_active: int


def personas() -> Personas:
    active = Count("owned_recommendations", filter=Q(owned_recommendations__status__in=ACTIVE_STATUSES))
    leads = User.objects.filter(role=Role.REGIONAL_LEAD, is_active=True).annotate(active=active)
    busy = _found(leads.order_by("-active", "pk").first(), "regional lead")
    quiet = _found(leads.filter(active__gte=1).order_by("active", "pk").first(), "regional lead owning something")
    return Personas(
        admin=User.objects.get(username="bench.admin"),
        busy_lead=busy,
        quiet_lead=quiet,
        busy_active=busy.active,
        quiet_active=quiet.active,
    )


def _found[T](found: T | None, what: str) -> T:
    """`found`, which the generated data always has (bench/generate.py)."""
    if found is None:
        raise LookupError(f"No {what} in the database: generate the bench data first (bench/generate.py).")
    return found


def build_targets(people: Personas) -> list[Target]:
    builders: list[Callable[[Personas], Target]] = [
        _floor, _my_actions, _filtered_list, _long_timeline, _inspection, _dashboard, _region, _whats_changed,
        _csv_export,
        _admin_changelist,
        _round_update,
    ]  # fmt: skip
    return [_guarded(builder, people) for builder in builders]


def _guarded(builder: Callable[[Personas], Target], people: Personas) -> Target:
    try:
        return builder(people)
    except NoReverseMatch as missing:
        key = builder.__name__.lstrip("_")
        return Target(key, key.replace("_", " "), None, not_built=f"not built yet ({missing})")


def _url(name: str, *args: object, **query: object) -> str:
    path = reverse(name, args=args)
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


def _floor(people: Personas) -> Target:
    return Target("floor", "Floor: signed-in 'ok' (bench/floor.py)", Variant(_url("bench:floor"), people.admin, ""))


def _my_actions(people: Personas) -> Target:
    path = _url("recommendations:my_actions")
    return Target(
        "my_actions",
        "My actions (regional lead)",
        Variant(path, people.busy_lead, f"busiest lead, {people.busy_active} active owned"),
        Variant(path, people.quiet_lead, f"quietest lead, {people.quiet_active} active owned"),
        floor_ratio=APP_PAGE_RATIO,
    )


def _filtered_list(people: Personas) -> Target:
    region = people.busy_lead.region_id
    many = {
        "region": region,
        "status": ["open", "awaiting_closure"],
        "addressee": ["region", "pdu"],
        "sort": "target_date",
    }
    # The same filters narrowed to a week of target dates: a few rows, where the old variant (priority, overdue and
    # an owner) found none, so its count compared a page without a table to a page with one.
    today = timezone.localdate()
    few = {**many, "due_after": today.isoformat(), "due_before": (today + datetime.timedelta(days=7)).isoformat()}
    return Target(
        "list",
        "Recommendations list, 4 filters + sort (Inspectorate)",
        Variant(_url("recommendations:list", **many), people.admin, "region + 2 statuses + 2 addressees"),
        Variant(_url("recommendations:list", **few), people.admin, "the same, due in the next week"),
        floor_ratio=APP_PAGE_RATIO,
    )


def _long_timeline(people: Personas) -> Target:
    history = Recommendation.history.model.objects.values("id").annotate(n=Count("history_id"))
    longest = history.order_by("-n", "id").first()
    shortest = history.order_by("n", "id").first()
    return Target(
        "detail",
        "Recommendation page, long timeline (Inspectorate)",
        Variant(_url("recommendations:detail", longest["id"]), people.admin, f"{longest['n']} history rows"),
        Variant(_url("recommendations:detail", shortest["id"]), people.admin, f"{shortest['n']} history rows"),
        floor_ratio=APP_PAGE_RATIO,
    )


def _inspection(people: Personas) -> Target:
    sized = Inspection.objects.annotate(n=Count("recommendations")).filter(n__gte=1).values_list("pk", "n")
    big_pk, big_n = _found(sized.order_by("-n", "pk").first(), "inspection")
    small_pk, small_n = _found(sized.order_by("n", "pk").first(), "inspection")
    return Target(
        "inspection",
        "Inspection page, largest report (Inspectorate)",
        Variant(_url("inspections:detail", big_pk), people.admin, f"{big_n} recommendations"),
        Variant(_url("inspections:detail", small_pk), people.admin, f"{small_n} recommendations"),
        floor_ratio=APP_PAGE_RATIO,
    )


def _dashboard(people: Personas) -> Target:
    path = _url("recommendations:dashboard")
    return Target(
        "dashboard", "Dashboard (Inspectorate)", Variant(path, people.admin, "national"), floor_ratio=APP_PAGE_RATIO
    )


def _region(people: Personas) -> Target:
    """A lead's own region page: rates and ageing (kept 5 minutes, like the dashboard's) and outcomes."""
    busy, quiet = people.busy_lead.region_id, people.quiet_lead.region_id
    return Target(
        "region",
        "Region page (regional lead)",
        Variant(_url("recommendations:region", busy), people.busy_lead, "the busiest lead's region"),
        Variant(_url("recommendations:region", quiet), people.quiet_lead, "the quietest lead's region"),
        floor_ratio=APP_PAGE_RATIO,
    )


def _whats_changed(people: Personas) -> Target:
    """Every event of the last week, nationally (the issue's case), against those of the last day."""
    today = timezone.localdate()

    def since(days: int) -> str:
        day = today - datetime.timedelta(days=days)
        return _url("recommendations:whats_changed", since=day.isoformat())

    return Target(
        "whats_changed",
        "What's changed, a week of national activity (Inspectorate)",
        Variant(since(7), people.admin, f"since {today - datetime.timedelta(days=7)}"),
        Variant(since(1), people.admin, "since yesterday"),
        floor_ratio=APP_PAGE_RATIO,
    )


def _csv_export(people: Personas) -> Target:
    start, end = csv_window(CSV_ROWS)
    _, small_end = csv_window(100)
    large = {"due_after": start.isoformat(), "due_before": end.isoformat()}
    small = {"due_after": start.isoformat(), "due_before": small_end.isoformat()}
    return Target(
        "csv",
        f"CSV export of ~{CSV_ROWS:,} rows (Inspectorate)",
        Variant(_url("recommendations:export_csv", **large), people.admin, f"target dates {start} to {end}"),
        Variant(_url("recommendations:export_csv", **small), people.admin, "about 100 rows"),
        streamed=True,
    )


def csv_window(rows: int) -> tuple[datetime.date, datetime.date]:
    """A window of target dates ending today that holds about `rows` recommendations (binary search on its start)."""
    end = timezone.localdate()
    low, high = 0, 365 * 12
    while low < high:
        days = (low + high) // 2
        count = Recommendation.objects.filter(target_date__range=(end - datetime.timedelta(days=days), end)).count()
        low, high = (days + 1, high) if count < rows else (low, days)
    return end - datetime.timedelta(days=low), end


def _admin_changelist(people: Personas) -> Target:
    path = _url("admin:recommendations_recommendation_changelist")
    model_admin = admin.site._registry.get(Recommendation)
    small = None
    if model_admin is not None and model_admin.search_fields:
        smallest = Inspection.objects.annotate(n=Count("recommendations")).filter(n__gte=1).order_by("n").first()
        reference = _found(smallest, "inspection")
        query = _url("admin:recommendations_recommendation_changelist", q=reference.reference)
        small = Variant(query, people.admin, f"search for one report ({reference.reference})")
    return Target(
        "admin", "Admin changelist of recommendations", Variant(path, people.admin, "first page, no filter"), small,
        floor_ratio=8.0,  # the stock admin: Django's templates render it, through ~150 variable lookups
    )  # fmt: skip


BENCH_ROUND = "Bench returns (bench/targets.py)"


def _round_update(people: Personas) -> Target:
    """The page "Update your recommendations" for a round open to all: the busiest lead's every open item."""
    path = reverse("recommendations:round_update", args=[bench_round(people.admin).pk])
    return Target(
        "round_update",
        "Update your recommendations (regional lead)",
        Variant(path, people.busy_lead, f"busiest lead, {people.busy_active} open items"),
        Variant(path, people.quiet_lead, f"quietest lead, {people.quiet_active} open items"),
        floor_ratio=APP_PAGE_RATIO,
    )


def bench_round(admin: User) -> UpdateRound:
    """The round the bench measures, opened on first use (the generator makes none); no notifications."""
    due = timezone.localdate() + datetime.timedelta(days=30)
    found, _ = UpdateRound.objects.get_or_create(
        name=BENCH_ROUND, defaults={"due_date": due, "scope": RoundScope.ALL, "opened_by": admin}
    )
    return found

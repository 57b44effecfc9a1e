"""Render every page of the tracker, for every persona and state, into normalised HTML (issue 13).

    .venv/bin/python scripts/page_snapshots.py OUTDIR

A fresh SQLite database (deleted first, so ids are the same every run) gets the migrations, the demo data and a few
more states (see add_states), at a fixed moment (time-machine), so that two runs on the same code write the same
files. Each page is GET (or POSTed with invalid data, which changes nothing) with django.test.Client and saved as
OUTDIR/<persona>/<slug>.html, normalised (see normalise_html); OUTDIR/index.json has each page's URL, status code
and SQL query count. scripts/compare_snapshots.py compares two such directories.

Only URLs, the test client, the demo loader, the services (to reach states) and the reminder digest code are used:
nothing that writes HTML, so the script works the same before and after the pages are rewritten.
"""

import datetime
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
import time_machine

ROOT = Path(__file__).resolve().parent.parent
DATABASE_FILE = ROOT / "var" / "page-snapshots.sqlite3"
# A Tuesday (a working day, so that the reminder digests go out), at which the demo data is loaded and every page
# rendered: the demo's target dates are days from "today", and pages say how many days late things are.
SETUP_AT = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))
RENDER_AT = datetime.datetime(2026, 12, 1, 11, 0, tzinfo=ZoneInfo("Europe/London"))
# Each state is set up one minute after the last, so that timelines never order two events by a tie.
STEP = datetime.timedelta(minutes=1)


def configure(media_root: str) -> None:
    """Settings from the environment, as the app reads them: SQLite, memory cache, no .env file, no DEBUG pages."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{DATABASE_FILE}",
        ENV_FILE=str(ROOT / "var" / "no-such-env-file"),
        DEBUG="1",  # plain static file URLs (no manifest); the error pages come from setup_test_environment
        CACHE_URL="",
        MEDIA_ROOT=media_root,
        SITE_URL="http://localhost:8000",
    )
    import django
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment(debug=False)  # DEBUG off: the site's own 403/404 pages, as users see them
    logging.disable(logging.WARNING)  # not a line for each 400, 403 and 404 asked for
    warnings.simplefilter("ignore")  # WhiteNoise's note that collectstatic has not run
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seconds saved per user
    # The public pages' data and rate counts go to the shared Redis: keys of this run's own, so that another run
    # (the same ids in another database, its requests counted) changes nothing here.
    settings.CACHES["shared"]["KEY_PREFIX"] = f"page-snapshots-{uuid.uuid4().hex}"


# --- the data: the demo, and the states it does not reach ---


@dataclass
class World:
    users: dict[str, Any]  # persona → user (None: signed out)
    recommendations: dict[str, int]  # state → recommendation id
    inspections: dict[str, int]
    pending_request: int  # a target date change request waiting for a decision
    region: int


def build_world(traveller: Any) -> World:
    from django.core.management import call_command

    from accounts.models import Role, User
    from inspections.models import Inspection, Region
    from recommendations.demo import load_demo

    DATABASE_FILE.parent.mkdir(exist_ok=True)
    DATABASE_FILE.unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    load_demo()
    traveller.shift(STEP)
    second = {"first_name": "Sol", "last_name": "Second", "role": Role.INSPECTORATE, "is_staff": True}
    users = {
        # Inspectorate staff who lead no region (the demo's Inspectorate user leads both regions).
        "inspectorate_staff": User.objects.create_user("second.inspector", "second@example.com", "x", **second),
        "inspectorate_lead": User.objects.get(username="inspectorate"),  # the Inspectorate lead of N57 and N59
        "regional_lead": User.objects.get(username="kss.lead"),
        "hmpps_lead": User.objects.get(username="hmpps.lead"),
        "signed_out": None,
    }
    add_earlier_recommendations(users["regional_lead"])
    recommendations, pending_request = add_states(users, traveller)
    inspections = {reference.lower(): pk for pk, reference in Inspection.objects.values_list("pk", "reference")}
    publish_one(users["inspectorate_lead"])
    return World(users, recommendations, inspections, pending_request, Region.objects.get(code="N57").pk)


def publish_one(staff: Any) -> None:
    """The Kent, Surrey and Sussex public protection report on the public pages."""
    from inspections.models import Inspection
    from inspections.services import inspections_publish_to_public

    reports = Inspection.objects.filter(reference__startswith="N57-PP")
    inspections_publish_to_public(inspections=reports, by=staff)


# Target dates (days from today) of the earlier report's recommendations: due or overdue on the days the reminders
# fall (so the digests have every section), and none set.
EARLIER_OFFSETS = (-28, -14, -7, 1, 7, 30, None)


def add_earlier_recommendations(lead: Any) -> None:
    """Thirty recommendations in the earlier Kent, Surrey and Sussex report (the demo has none): the list's second
    page, the regional lead's digest and escalations; some with no owner or target date."""
    from inspections.models import Inspection
    from recommendations.models import Addressee, Recommendation

    inspection = Inspection.objects.get(reference="N57-RI-2024")
    for number in range(1, 31):
        offset = EARLIER_OFFSETS[number % len(EARLIER_OFFSETS)]
        Recommendation.objects.create(
            inspection=inspection,
            addressee=Addressee.REGION,
            region=inspection.region,
            number=number,
            text=f"Improve the quality of risk assessment, part {number}, with managers' oversight.",
            owner=lead if number % 5 else None,
            target_date=SETUP_AT.date() + datetime.timedelta(days=offset) if offset is not None else None,
        )


def add_states(users: dict[str, Any], traveller: Any) -> tuple[dict[str, int], int]:
    """Recommendations in every state a page shows differently, made through the services as people would."""
    from recommendations import services
    from recommendations.models import Addressee, Recommendation, Status

    staff, lead, hmpps = users["inspectorate_lead"], users["regional_lead"], users["hmpps_lead"]
    # The demo has two recommendations to Kent, Surrey and Sussex (the regional lead's) and six open ones to HMPPS.
    rich, waiting = Recommendation.objects.filter(region__code="N57", addressee=Addressee.REGION).order_by("pk")[:2]
    national = Recommendation.objects.filter(addressee=Addressee.HMPPS, status=Status.OPEN).order_by("pk")
    untouched, national_waiting, closed, not_implemented = national[:4]
    other_region = Recommendation.objects.filter(region__code="N59", addressee=Addressee.REGION).order_by("pk")[0]
    superseded = Recommendation.objects.get(status=Status.SUPERSEDED)

    def step() -> None:
        traveller.shift(STEP)

    services.recommendation_record_response(recommendation=rich, response="partly_agreed", by=lead, reason="Cost")
    step()
    services.progress_update_record(
        recommendation=rich, by=lead, progress="in_progress", text="Training under way", evidence_url="https://x.test"
    )
    step()
    services.action_plan_item_add(recommendation=rich, by=lead, description="Train the team", responsible="Kim")
    step()
    item = services.action_plan_item_add(recommendation=rich, by=lead, description="Audit 20 cases")
    step()
    services.action_plan_item_complete(item=item, by=lead)
    step()
    services.follow_up_record(recommendation=rich, by=staff, kind="meeting", activity_date=SETUP_AT.date())
    step()
    services.recommendation_set_judgement(recommendation=rich, judgement="reasonable", by=staff)
    step()
    request = services.target_date_change_request(
        recommendation=rich, by=lead, proposed_date=SETUP_AT.date() + datetime.timedelta(days=90), reason="Hiring"
    )
    step()
    services.recommendation_transition(recommendation=waiting, action="request_closure", by=lead, reason="All done")
    services.recommendation_transition(recommendation=national_waiting, action="request_closure", by=hmpps)
    step()
    services.recommendation_transition(recommendation=closed, action="close_implemented", by=staff, reason="Seen")
    services.recommendation_transition(
        recommendation=not_implemented, action="close_not_implemented", by=staff, reason="No plan"
    )
    step()
    states = {
        "open-followed-up": rich,
        "waiting-for-decision": waiting,
        "national-open": untouched,
        "national-waiting-for-decision": national_waiting,
        "national-closed-implemented": closed,
        "national-closed-not-implemented": not_implemented,
        "national-superseded": superseded,
        "other-region": other_region,
    }
    return {name: recommendation.pk for name, recommendation in states.items()}, request.pk


# --- the pages ---


@dataclass(frozen=True)
class Page:
    slug: str
    url: str
    data: dict[str, Any] | None = None  # POSTed when given: invalid, so that nothing changes

    @property
    def method(self) -> str:
        return "GET" if self.data is None else "POST"


LIST_FILTERS = {
    "": "",
    "open-and-waiting": "status=open&status=awaiting_closure",
    "overdue": "overdue=yes",
    "region": "region={region}",
    "search": "q=vetting",
    "sort-by-reference-descending": "sort=-reference",
    "page-2": "page=2",
    "national-awaiting-response-priority": "addressee=hmpps&addressee=moj&response=awaiting&priority=no",
    "owner-name-due-between": "owner_name=Kim&due_after=1/1/2026&due_before=31/12/2027",
    "nothing-found": "q=no+such+words+anywhere",
}
CHANGES = (
    "record_response",
    "add_progress_update",
    "add_action",
    "request_target_date",
    "record_follow_up",
    "set_judgement",
    "change_status",
    "assign_owner",
)
# Invalid data for each change: required fields left out, or a choice that is not offered.
INVALID = {
    "record_response": {"response-response": "maybe"},
    "add_progress_update": {"progress-progress": "in_progress", "progress-text": ""},
    "add_action": {"action-description": ""},
    "request_target_date": {"date_request-proposed_date_day": "31", "date_request-proposed_date_month": "2"},
    "record_follow_up": {"follow_up-kind": "", "follow_up-activity_date_year": "20x6"},
    "set_judgement": {"judgement-judgement": "wonderful"},
    "change_status": {"workflow-action": "vanish"},
    "assign_owner": {"owner-owner": "999999"},
    "decide_target_date": {"date_decision-decision": ""},
}


def pages(world: World, persona: str) -> Iterator[Page]:
    from django.urls import reverse

    yield Page("home", reverse("recommendations:home"))
    yield Page("my-actions", reverse("recommendations:my_actions"))
    for slug, query in LIST_FILTERS.items():
        url = reverse("recommendations:list") + ("?" + query.format(region=world.region) if query else "")
        yield Page(f"list-{slug}" if slug else "list", url)
    yield Page("dashboard", reverse("recommendations:dashboard"))
    yield Page("inspections", reverse("inspections:list"))
    for slug, pk in world.inspections.items():
        yield Page(f"inspection-{slug}", reverse("inspections:detail", kwargs={"pk": pk}))
        yield Page(f"action-plan-{slug}", reverse("inspections:action_plan", kwargs={"pk": pk}))
    yield Page("region-action-plan", reverse("recommendations:region_action_plan", kwargs={"pk": world.region}))
    yield from recommendation_pages(world)
    yield Page("reminder-settings", reverse("reminders:preferences"))
    yield Page("notifications", reverse("recommendations:notifications"))
    yield Page("reminder-settings-invalid", reverse("reminders:preferences"), {"frequency": "daily"})
    yield Page("password-change", reverse("password_change"))
    yield Page("password-change-invalid", reverse("password_change"), {"old_password": "wrong", "new_password1": "a"})
    yield Page("password-change-done", reverse("password_change_done"))
    yield Page("sign-in", reverse("login"))
    # A name of its own for each persona: five failures for one name from one address would lock it out.
    yield Page("sign-in-invalid", reverse("login"), {"username": f"nobody.{persona}", "password": "wrong"})
    yield Page("not-found", "/no-such-page/")
    yield Page("public-inspections", reverse("public:home"))
    for slug, pk in world.inspections.items():  # one published, the others not found
        yield Page(f"public-inspection-{slug}", reverse("public:inspection", kwargs={"pk": pk}))
    yield from admin_pages(world)


def recommendation_pages(world: World) -> Iterator[Page]:
    from django.urls import reverse

    for state, pk in world.recommendations.items():
        yield Page(f"recommendation-{state}", reverse("recommendations:detail", kwargs={"pk": pk}))
        # Every change page for open ones; only the workflow page (reopen, decide) for the others.
        open_ones = ("open-followed-up", "national-open")  # one the regional lead's, one the HMPPS lead's
        for name in CHANGES if state in open_ones else ("change_status",):
            url = reverse(f"recommendations:{name}", kwargs={"pk": pk})
            yield Page(f"recommendation-{state}-{name.replace('_', '-')}", url)
            if state in open_ones:
                yield Page(f"recommendation-{state}-{name.replace('_', '-')}-invalid", url, INVALID[name])
    rich = world.recommendations["open-followed-up"]
    yield Page(
        "recommendation-open-followed-up-whole-timeline",
        f"{reverse('recommendations:detail', args=[rich])}?timeline=all",
    )
    decide = reverse("recommendations:decide_target_date", kwargs={"pk": rich, "req_pk": world.pending_request})
    yield Page("recommendation-open-followed-up-decide-target-date", decide)
    yield Page("recommendation-open-followed-up-decide-target-date-invalid", decide, INVALID["decide_target_date"])


def admin_pages(world: World) -> Iterator[Page]:
    """The admin pages the tracker changes: the recommendations' list and form, the report import, the report form."""
    from django.urls import reverse

    rich = world.recommendations["open-followed-up"]
    yield Page("admin-recommendations", reverse("admin:recommendations_recommendation_changelist"))
    yield Page(
        "admin-recommendations-filtered",
        reverse("admin:recommendations_recommendation_changelist") + "?status__exact=open&q=staff",
    )
    yield Page("admin-recommendation", reverse("admin:recommendations_recommendation_change", args=[rich]))
    yield Page("admin-import", reverse("admin:inspections_inspection_import"))
    yield Page("admin-import-invalid", reverse("admin:inspections_inspection_import"), {"published_on": "nonsense"})
    report = world.inspections["n57-ri-2024"]  # the thirty recommendations of add_earlier_recommendations
    yield Page("admin-inspection", reverse("admin:inspections_inspection_change", args=[report]))


# --- taking the snapshots ---


@dataclass
class Snapshots:
    outdir: Path
    index: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def save(self, persona: str, slug: str, text: str, **facts: Any) -> None:
        folder = self.outdir / persona
        folder.mkdir(parents=True, exist_ok=True)
        (folder / slug).write_text(text, encoding="utf-8")
        self.index.setdefault(persona, {})[slug] = facts

    def write_index(self) -> None:
        text = json.dumps(self.index, indent=1, sort_keys=True)
        (self.outdir / "index.json").write_text(text + "\n", encoding="utf-8")


def capture_pages(world: World, snapshots: Snapshots) -> None:
    from django.test import Client

    for persona, user in world.users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for page in pages(world, persona):
            facts = capture(client, persona, page, snapshots)
            if page.data is not None and facts["status"] == 302 and "/login/" not in facts["location"]:
                raise SystemExit(f"POST {page.url} as {persona} was accepted: its data must be invalid")
        if user is None:
            capture_locked_out(client, snapshots)


def capture(client: Any, persona: str, page: Page, snapshots: Snapshots) -> dict[str, Any]:
    """Ask for the page; save it normalised, with its status, redirect and SQL query count; return those."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # every page counts its queries cold (the dashboard caches its counts)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(page.url, page.data) if page.data is not None else client.get(page.url)
    facts = {"url": page.url, "method": page.method, "status": response.status_code, "queries": len(queries)}
    facts["location"] = response.get("Location", "")
    snapshots.save(persona, f"{page.slug}.html", normalise_html(response.content), **facts)
    return facts


def capture_locked_out(client: Any, snapshots: Snapshots) -> None:
    """The page shown once a name has failed to sign in AXES_FAILURE_LIMIT times from one address."""
    from django.conf import settings
    from django.urls import reverse

    data = {"username": "locked.out", "password": "wrong"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), data)
    capture(client, "signed_out", Page("sign-in-locked-out", reverse("login"), data), snapshots)


def capture_digests(snapshots: Snapshots) -> None:
    """The reminder emails the day's sweep would send, rendered by the digest code (nothing is sent)."""
    from django.utils import timezone

    from reminders.digest import claimed_digests, render_digest
    from reminders.policy import load_rules
    from reminders.sweep import claim, create_digests

    now = timezone.now()
    token, _ = claim(create_digests(timezone.localdate(now), now=now), now=now)
    for content in claimed_digests(token, response_due_days=load_rules().response_due_days):
        message = render_digest(content)
        slug = "digest-" + content.email.split("@")[0].replace(".", "-")
        [(html, _mimetype)] = message.alternatives
        text = f"Subject: {message.subject}\n\n" + "\n".join(line.rstrip() for line in message.body.splitlines())
        snapshots.save("emails", f"{slug}.txt", text.strip() + "\n", url="", method="email", status=0, queries=0)
        snapshots.save("emails", f"{slug}.html", normalise_html(str(html)), url="", method="email", status=0, queries=0)
    capture_notification_emails(snapshots, now)


def capture_notification_emails(snapshots: Snapshots, now: Any) -> None:
    """The notification emails (at once, and the demo people's daily summaries) the outbox and the sweep would send."""
    from django.utils import timezone

    from reminders.notification_email import (
        claimed_notification_emails,
        create_notification_emails,
        create_notification_summaries,
    )
    from reminders.sweep import claim

    made = create_notification_summaries(timezone.localdate(now), now=now, next_attempt_at=now)
    token, _ = claim([*made, *create_notification_emails(now=now, next_attempt_at=now)], now=now)
    for number, content in enumerate(claimed_notification_emails(token)):
        message = content.message()
        slug = f"notification-{number}-" + content.email.split("@")[0].replace(".", "-")
        [(html, _mimetype)] = message.alternatives
        text = f"Subject: {message.subject}\n\n" + "\n".join(line.rstrip() for line in message.body.splitlines())
        snapshots.save("emails", f"{slug}.txt", text.strip() + "\n", url="", method="email", status=0, queries=0)
        snapshots.save("emails", f"{slug}.html", normalise_html(str(html)), url="", method="email", status=0, queries=0)


# --- normalising ---

SPACES = re.compile(r"\s+")


def normalise_html(content: bytes | str) -> str:
    """One element or text a line, indented by depth: attributes sorted (class names too), whitespace collapsed,
    whitespace-only text and comments dropped, and the CSRF token and CSP nonce replaced by placeholders."""
    if not content.strip():  # a redirect
        return ""
    lines: list[str] = []
    _walk(lxml.html.document_fromstring(content), 0, lines)
    return "\n".join(lines) + "\n"


def _walk(element: Any, depth: int, lines: list[str]) -> None:
    if isinstance(element.tag, str):  # not a comment or processing instruction
        lines.append("  " * depth + _tag(element))
        _text(element.text, depth + 1, lines)
        for child in element:
            _walk(child, depth + 1, lines)
    _text(element.tail, depth, lines)


def _text(text: str | None, depth: int, lines: list[str]) -> None:
    collapsed = SPACES.sub(" ", text or "").strip()
    if collapsed:
        lines.append("  " * depth + "| " + collapsed)


def _tag(element: Any) -> str:
    parts = [element.tag]
    for name, value in sorted(element.attrib.items()):
        parts.append(_attribute(element, name, SPACES.sub(" ", value).strip()))
    return "<" + " ".join(parts) + ">"


def _attribute(element: Any, name: str, value: str) -> str:
    if name == "nonce":
        value = "NONCE"
    elif name == "value" and element.get("name") == "csrfmiddlewaretoken":
        value = "CSRF-TOKEN"
    elif name == "class":
        value = " ".join(sorted(value.split()))
    elif value in ("", name):  # a boolean attribute, however it is written: checked, checked="", checked="checked"
        return name
    return f'{name}="{value}"'


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    outdir = Path(argv[1])
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as media_root, time_machine.travel(SETUP_AT, tick=False) as traveller:
        configure(media_root)
        world = build_world(traveller)
        traveller.move_to(RENDER_AT)
        snapshots = Snapshots(outdir)
        capture_pages(world, snapshots)
        capture_digests(snapshots)
        snapshots.write_index()
    DATABASE_FILE.unlink(missing_ok=True)
    for persona, found in sorted(snapshots.index.items()):
        print(f"{persona}: {len(found)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

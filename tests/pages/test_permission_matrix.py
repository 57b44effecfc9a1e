"""Every URL of the recommendations and inspections namespaces, for every role, with an object of their own and of
another region: who is sent to sign in (302), served (200), refused (403) or told it does not exist (404).

The routes are read from the URL resolver, so a new route is covered the moment it is added: it fails here until
EXPECTATIONS says what each role should get from it. A change to a recommendation also answers GET with its form on
a page of its own: `page` says who gets that page. Anything refused, and every GET, must leave the database as it
was (recommendations, their history and every related row); every POST that succeeds must change something.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from inspections.models import Inspection
from recommendations.models import (
    ActionPlanItem,
    FollowUpActivity,
    Notification,
    NotificationKind,
    ProgressUpdate,
    Recommendation,
    RecurrenceLink,
    RoundReturn,
    RoundScope,
    TargetDateChangeRequest,
    UpdateRound,
)

from .conftest import Login, World

LOGIN = "login"  # a 302 to the sign-in page (any other expected 302 must go somewhere else)
Outcome = int | str
# One outcome for both objects, or (outcome for their own object, outcome for another region's object).
PerRole = Outcome | tuple[Outcome, Outcome]
ROLES = ("anonymous", "inspectorate", "lead_a", "lead_b", "hmpps")
SIGNED_IN = ROLES[1:]
PERSONAS = {"anonymous": None, "inspectorate": "staff", "lead_a": "lead_a", "lead_b": "lead_b", "hmpps": "hmpps"}
# Which recommendation is "their own" and which is "another region's", for each role (attributes of World).
OWN_AND_OTHER = {
    "anonymous": ("rec_a", "rec_b"),
    "inspectorate": ("rec_a", "rec_b"),  # staff may see both: "other" is just another region's
    "lead_a": ("rec_a", "rec_b"),
    "lead_b": ("rec_b", "rec_a"),
    "hmpps": ("rec_h", "rec_a"),
}


@dataclass(frozen=True)
class Target:
    """What a URL is built from: the recommendation (and its inspection) named in the URL, and the recommendation
    whose child objects (action, request, update) are named in it; they differ only in the "mixed" case."""

    world: World
    recommendation: Recommendation
    owner_of_children: Recommendation
    person: User | None = None  # who is signed in (a notification is theirs or someone else's)
    which: str = "own"

    @property
    def inspection(self) -> Inspection:
        return self.recommendation.inspection


@dataclass(frozen=True)
class Expect:
    method: str
    outcomes: dict[str, PerRole]
    kwargs: Callable[[Target], dict[str, Any]] = field(default=lambda target: {})
    data: Callable[[Target], dict[str, Any]] = field(default=lambda target: {})
    page: dict[str, PerRole] | None = None  # a POST route's GET: its form on a page of its own

    def methods(self) -> dict[str, dict[str, PerRole]]:
        return {self.method: self.outcomes, **({"get": self.page} if self.page else {})}


# --- outcome tables ---

ANYONE_SIGNED_IN: dict[str, PerRole] = {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 200)}
SCOPED_PAGE: dict[str, PerRole] = {"anonymous": LOGIN, "inspectorate": 200, **dict.fromkeys(SIGNED_IN[1:], (200, 404))}
# The public pages: the same for everyone, signed in or not.
PUBLIC_PAGE: dict[str, PerRole] = dict.fromkeys(ROLES, 200)
# A public inspection page: region A's inspection is published, the others are not (a 404, as for no inspection).
PUBLIC_INSPECTION: dict[str, PerRole] = {
    **dict.fromkeys(("anonymous", "inspectorate", "lead_a"), (200, 404)),  # own: region A's; other: region B's
    "lead_b": (404, 200),
    "hmpps": (404, 200),  # own: the national inspection, not published
}
STAFF_ONLY_PAGE: dict[str, PerRole] = {"anonymous": LOGIN, "inspectorate": 200, **dict.fromkeys(SIGNED_IN[1:], 403)}
NATIONAL_PAGE: dict[str, PerRole] = {
    "anonymous": LOGIN,
    "inspectorate": 200,
    "lead_a": 404,
    "lead_b": 404,
    "hmpps": 200,
}
REDIRECT_SIGNED_IN: dict[str, PerRole] = {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 302)}
# Changes the addressee's lead (and the Inspectorate) may make; success is a redirect back to the page.
RESPOND_POST: dict[str, PerRole] = {"anonymous": LOGIN, "inspectorate": 302, **dict.fromkeys(SIGNED_IN[1:], (302, 404))}
# The Inspectorate's decisions: a lead may read their own recommendation but not decide (403).
DECIDE_POST: dict[str, PerRole] = {"anonymous": LOGIN, "inspectorate": 302, **dict.fromkeys(SIGNED_IN[1:], (403, 404))}
# The pages of those changes, with their forms: the same people, served (200) instead of redirected.
RESPOND_PAGE = SCOPED_PAGE
DECIDE_PAGE: dict[str, PerRole] = {"anonymous": LOGIN, "inspectorate": 200, **dict.fromkeys(SIGNED_IN[1:], (403, 404))}
# A region's pages: staff see every region's, a regional lead their own (another's is not found), an HMPPS lead none.
REGION_PAGE: dict[str, PerRole] = {
    "anonymous": LOGIN,
    "inspectorate": 200,
    "lead_a": (200, 404),
    "lead_b": (200, 404),
    "hmpps": 404,
}


# Update rounds: staff run them (leads 403); "Update your recommendations" is its owner's alone (anyone else 404).
STAFF_POST: dict[str, PerRole] = {"anonymous": LOGIN, "inspectorate": 302, **dict.fromkeys(SIGNED_IN[1:], 403)}
OWNER_PAGE: dict[str, PerRole] = {"anonymous": LOGIN, "inspectorate": 404, **dict.fromkeys(SIGNED_IN[1:], (200, 404))}
OWNER_POST: dict[str, PerRole] = {"anonymous": LOGIN, "inspectorate": 404, **dict.fromkeys(SIGNED_IN[1:], (302, 404))}


# --- URL arguments and POST data ---


def recommendation_pk(target: Target) -> dict[str, int]:
    return {"pk": target.recommendation.pk}


def dated_recommendation_pk(target: Target) -> dict[str, int]:
    """The recommendation, given a target date: a lead may ask to move only a target date there is."""
    moved = timezone.localdate() + datetime.timedelta(days=30)
    Recommendation.objects.filter(pk=target.recommendation.pk).update(target_date=moved)
    return recommendation_pk(target)


def inspection_pk(target: Target) -> dict[str, int]:
    return {"pk": target.inspection.pk}


def region_pk(target: Target) -> dict[str, int]:
    """The region of the recommendation; region A for an HMPPS recommendation, which has none (HMPPS leads answer
    for no region, so they are refused every region's plan)."""
    return {"pk": target.recommendation.region_id or target.world.region_a.pk}


def region_a_published(target: Target) -> dict[str, int]:
    """Region A's inspection on the public pages, and no other (the public pages' list)."""
    Inspection.objects.filter(pk=target.world.inspection_a.pk).update(published_to_public_at=timezone.now())
    return {}


def inspection_pk_region_a_published(target: Target) -> dict[str, int]:
    """The inspection, which is on the public pages if it is region A's."""
    region_a_published(target)
    return inspection_pk(target)


def action_item(target: Target) -> dict[str, int]:
    item = ActionPlanItem.objects.create(
        recommendation=target.owner_of_children, description="Train the team", created_by=target.world.staff
    )
    return {"pk": target.recommendation.pk, "item_pk": item.pk}


def pending_date_request(target: Target) -> dict[str, int]:
    change_request = TargetDateChangeRequest.objects.create(
        recommendation=target.owner_of_children,
        requested_by=target.world.lead_a,
        proposed_date=timezone.localdate() + datetime.timedelta(days=90),
        reason="Recruitment takes longer",
    )
    return {"pk": target.recommendation.pk, "req_pk": change_request.pk}


def evidence(target: Target) -> dict[str, int]:
    update = ProgressUpdate.objects.create(
        recommendation=target.owner_of_children,
        author=target.world.staff,
        progress="in_progress",
        text="Evidence attached",
        evidence_file=ContentFile(b"%PDF-1.4 evidence", name="plan.pdf"),
    )
    return {"pk": target.recommendation.pk, "update_pk": update.pk}


def suggested_repeat(target: Target) -> dict[str, int]:
    """A likely repeat of the recommendation, found on import: another one its people answer for, made later."""
    recommendation = target.recommendation
    again = Recommendation.objects.create(
        inspection=recommendation.inspection,
        addressee=recommendation.addressee,
        region=recommendation.region,
        number=recommendation.number + 100,
        text=recommendation.text,
    )
    link = RecurrenceLink.objects.create(earlier=recommendation, later=again, score=95)
    return {"pk": link.pk}


def region_table(target: Target) -> dict[str, Any]:
    return {**region_pk(target), "table": "implementation-rates-by-addressee"}


def a_table(target: Target) -> dict[str, Any]:
    return {"table": "target-date-slippage-by-region"}


def _notification(recipient: User, recommendation: Recommendation) -> Notification:
    return Notification.objects.create(
        recipient=recipient,
        kind=NotificationKind.OWNER_ASSIGNED,
        key=f"test:{recipient.pk}:{recommendation.pk}",
        title="You are now the owner",
        recommendation=recommendation,
    )


def notification(target: Target) -> dict[str, int]:
    """An unread notification about the recommendation: the signed-in person's ("own"), else someone else's."""
    someone_else = target.world.lead_b if target.person != target.world.lead_b else target.world.lead_a
    recipient = target.person if target.which == "own" and target.person else someone_else
    return {"pk": _notification(recipient, target.recommendation).pk}


def unread_for_everyone(target: Target) -> dict[str, int]:
    """Everyone in the world has an unread notification, so "Mark all as read" has something to change."""
    world = target.world
    for person in (world.staff, world.lead_a, world.lead_b, world.hmpps):
        _notification(person, target.recommendation)
    return {}


NATURAL_OWNER = {"rec_a": "lead_a", "rec_b": "lead_b", "rec_h": "hmpps"}


def update_round(target: Target) -> dict[str, int]:
    """An open round covering the target recommendation alone (its region's, or the national one), which its lead
    owns: their "own" round; for anyone else a round they own nothing in."""
    world, recommendation = target.world, target.recommendation
    attribute = next(name for name in NATURAL_OWNER if getattr(world, name).pk == recommendation.pk)
    Recommendation.objects.filter(pk=recommendation.pk).update(owner=getattr(world, NATURAL_OWNER[attribute]))
    national = recommendation.region_id is None
    opened = UpdateRound.objects.create(
        name="Quarter 3 2026 returns",
        due_date=timezone.localdate() + datetime.timedelta(days=14),
        scope=RoundScope.NATIONAL if national else RoundScope.REGIONS,
        opened_by=world.staff,
    )
    if recommendation.region is not None:
        opened.regions.set([recommendation.region])
    return {"pk": opened.pk}


def open_round_data(target: Target) -> dict[str, str]:
    return {
        "round-name": "Quarter 3 2026 returns",
        **date_parts("round-due_date", timezone.localdate() + datetime.timedelta(days=30)),
        "round-scope": "all",
    }


def date_parts(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def get(outcomes: dict[str, PerRole], kwargs: Callable[[Target], dict[str, Any]] | None = None) -> Expect:
    return Expect("get", outcomes, kwargs or (lambda target: {}))


def post(
    outcomes: dict[str, PerRole],
    data: Callable[[Target], dict[str, Any]],
    kwargs: Callable[[Target], dict[str, int]] = recommendation_pk,
    page: dict[str, PerRole] | None = None,
) -> Expect:
    return Expect("post", outcomes, kwargs, data, page)


EXPECTATIONS: dict[str, Expect] = {
    # Lists, exports and the dashboard (recommendations/views/lists.py, dashboard.py).
    "recommendations:home": get(REDIRECT_SIGNED_IN),
    "recommendations:my_actions": get(ANYONE_SIGNED_IN),
    "recommendations:list": get(ANYONE_SIGNED_IN),
    "recommendations:export_csv": get(ANYONE_SIGNED_IN),
    "recommendations:export_xlsx": get(ANYONE_SIGNED_IN),
    "recommendations:dashboard": get(STAFF_ONLY_PAGE),
    "recommendations:dashboard_figures": get(STAFF_ONLY_PAGE, a_table),
    # Region pages (recommendations/views/regions.py): a lead sees their own region's, an HMPPS lead the national.
    "recommendations:regions": get(STAFF_ONLY_PAGE),
    "recommendations:region": get(REGION_PAGE, region_pk),
    "recommendations:region_figures": get(REGION_PAGE, region_table),
    "recommendations:national": get(NATIONAL_PAGE),
    "recommendations:national_figures": get(NATIONAL_PAGE, a_table),
    # Leads see the repeats among the recommendations they may see (recurrence_selectors.py).
    "recommendations:recurring": get(ANYONE_SIGNED_IN),
    # Only Inspectorate staff confirm or dismiss a likely repeat; a lead who may see both recommendations: 403.
    "recommendations:decide_repeat": post(DECIDE_POST, lambda target: {"decision": "confirm"}, suggested_repeat),
    # Every event on what the person may see (recommendations/changes.py, scoped by permissions.py).
    "recommendations:whats_changed": get(ANYONE_SIGNED_IN),
    # Notifications: each person's own; someone else's is a 404, for staff too. Opening one marks it read.
    "recommendations:notifications": get(ANYONE_SIGNED_IN),
    "recommendations:open_notification": get(
        {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, (302, 404))}, notification
    ),
    "recommendations:mark_notifications_read": post(REDIRECT_SIGNED_IN, lambda target: {}, unread_for_everyone),
    # Inspections.
    "inspections:list": get(ANYONE_SIGNED_IN),
    "inspections:detail": get(SCOPED_PAGE, inspection_pk),
    # Action plans (recommendations/views/action_plans.py): an inspection's, scoped as its page; a region's.
    "inspections:action_plan": get(SCOPED_PAGE, inspection_pk),
    "inspections:action_plan_docx": get(SCOPED_PAGE, inspection_pk),
    "inspections:action_plan_xlsx": get(SCOPED_PAGE, inspection_pk),
    "recommendations:region_action_plan": get(REGION_PAGE, region_pk),
    "recommendations:region_action_plan_docx": get(REGION_PAGE, region_pk),
    "recommendations:region_action_plan_xlsx": get(REGION_PAGE, region_pk),
    # The public pages, no sign-in (recommendations/views/public.py).
    "public:home": get(PUBLIC_PAGE, region_a_published),
    "public:rates": get(PUBLIC_PAGE, region_a_published),
    "public:inspection": get(PUBLIC_INSPECTION, inspection_pk_region_a_published),
    # The recommendation page and its changes (recommendations/views/detail.py).
    "recommendations:detail": get(SCOPED_PAGE, recommendation_pk),
    "recommendations:evidence_file": get(SCOPED_PAGE, evidence),
    "recommendations:record_response": post(
        RESPOND_POST, lambda target: {"response-response": "agreed"}, page=RESPOND_PAGE
    ),
    "recommendations:add_progress_update": post(
        RESPOND_POST,
        lambda target: {"progress-progress": "in_progress", "progress-text": "Under way"},
        page=RESPOND_PAGE,
    ),
    "recommendations:add_action": post(
        RESPOND_POST, lambda target: {"action-description": "Train the team"}, page=RESPOND_PAGE
    ),
    "recommendations:complete_action": post(RESPOND_POST, lambda target: {}, action_item),
    "recommendations:request_target_date": post(
        RESPOND_POST,
        lambda target: {
            **date_parts("date_request-proposed_date", timezone.localdate() + datetime.timedelta(days=60)),
            "date_request-reason": "Recruitment takes longer",
        },
        dated_recommendation_pk,
        page=RESPOND_PAGE,
    ),
    "recommendations:decide_target_date": post(
        DECIDE_POST,
        lambda target: {"date_decision-decision": "reject", "date_decision-note": "Keep to the plan"},
        pending_date_request,
        page=DECIDE_PAGE,
    ),
    "recommendations:record_follow_up": post(
        DECIDE_POST,
        lambda target: {"follow_up-kind": "meeting", **date_parts("follow_up-activity_date", timezone.localdate())},
        page=DECIDE_PAGE,
    ),
    "recommendations:set_judgement": post(
        DECIDE_POST, lambda target: {"judgement-judgement": "good"}, page=DECIDE_PAGE
    ),
    # Its page is for whoever can take a step now: a lead asks for closure there (their POST here closes: 403).
    "recommendations:change_status": post(
        DECIDE_POST, lambda target: {"workflow-action": "close_implemented"}, page=RESPOND_PAGE
    ),
    "recommendations:assign_owner": post(
        DECIDE_POST, lambda target: {"owner-owner": str(target.world.staff.pk)}, page=DECIDE_PAGE
    ),
    # Update rounds (recommendations/views/rounds.py).
    "recommendations:round_list": get(STAFF_ONLY_PAGE),
    "recommendations:round_open": post(STAFF_POST, open_round_data, lambda target: {}, page=STAFF_ONLY_PAGE),
    "recommendations:round_detail": get(STAFF_ONLY_PAGE, update_round),
    "recommendations:round_chase": post(STAFF_POST, lambda target: {}, update_round),
    "recommendations:round_close": post(STAFF_POST, lambda target: {}, update_round),
    "recommendations:round_update": post(
        OWNER_POST,
        lambda target: {f"item-{target.recommendation.pk}-no_change": "on"},
        update_round,
        page=OWNER_PAGE,
    ),
}


# GETs that change something when they succeed: opening a notification marks it read.
CHANGES_ON_GET = {"recommendations:open_notification"}


# --- the routes, read from the resolver at collection time ---


def namespace_routes(namespace: str) -> dict[str, tuple[str, ...]]:
    """'namespace:name' → the names of its URL arguments, for every named route under the namespace."""
    _, resolver = get_resolver().namespace_dict[namespace]
    found: dict[str, tuple[str, ...]] = {}

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found[f"{namespace}:{pattern.name}"] = tuple(sorted(pattern.pattern.regex.groupindex))

    walk(resolver.url_patterns)
    return found


ROUTES = {**namespace_routes("recommendations"), **namespace_routes("inspections"), **namespace_routes("public")}
# URL arguments that name no object (a table of figures): no "mixed" case of another region's object for them.
NOT_OBJECTS = {"table"}


def matrix_cases() -> list[Any]:
    """(url name, method, role, which object) for every route with an expectation, and each method it answers;
    "mixed" names the person's own recommendation with a child object of another region's recommendation."""
    cases = []
    for name in sorted(set(ROUTES) & set(EXPECTATIONS)):
        arguments = tuple(argument for argument in ROUTES[name] if argument not in NOT_OBJECTS)
        variants = ("own", "other", "mixed") if len(arguments) > 1 else ("own", "other") if arguments else ("own",)
        cases += [
            pytest.param(name, method, role, which, id=f"{name}-{method}-{role}-{which}")
            for method in EXPECTATIONS[name].methods()
            for role in ROLES
            for which in variants
        ]
    return cases


# --- the tests ---


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_route_has_an_expectation(name: str) -> None:
    if name not in EXPECTATIONS:
        pytest.fail(f"add an expectation for {name} to EXPECTATIONS in tests/pages/test_permission_matrix.py")


def test_no_expectation_is_left_for_a_route_that_is_gone() -> None:
    assert set(EXPECTATIONS) <= set(ROUTES), f"routes no longer exist: {sorted(set(EXPECTATIONS) - set(ROUTES))}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role", "which"), matrix_cases())
def test_permission_matrix(world: World, login: Login, name: str, method: str, role: str, which: str) -> None:
    expect = EXPECTATIONS[name]
    own, other = (getattr(world, attribute) for attribute in OWN_AND_OTHER[role])
    person = _persona(world, role)
    target = {
        "own": Target(world, own, own, person, which),
        "other": Target(world, other, other, person, which),
        "mixed": Target(world, own, other, person, which),
    }[which]
    expected = _expected(expect.methods()[method][role], role, which)
    url = reverse(name, kwargs=expect.kwargs(target))
    data = expect.data(target) if method == "post" else {}
    client = login(person)

    before = snapshot()
    response = _send(client, method, url, data)
    check(response, expected, f"{method.upper()} {url} as {role} ({which} object)")
    if (method == "post" or name in CHANGES_ON_GET) and expected == 302:
        assert snapshot() != before, f"{name} answered {expected} as {role} but changed nothing: check its POST data"
    else:
        assert snapshot() == before, f"{method.upper()} {name} as {role} changed the database"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(set(ROUTES) & set(EXPECTATIONS)))
@pytest.mark.parametrize("role", ["inspectorate", "lead_a"])
def test_the_other_method_is_refused_and_changes_nothing(world: World, login: Login, name: str, role: str) -> None:
    expect = EXPECTATIONS[name]
    target = Target(world, world.rec_a, world.rec_a)
    url = reverse(name, kwargs=expect.kwargs(target))
    other_method = "put" if expect.page else "get" if expect.method == "post" else "post"
    before = snapshot()
    response = _send(login(_persona(world, role)), other_method, url, expect.data(target))
    assert response.status_code == 405, f"{other_method.upper()} {url}: {response.status_code}"
    assert snapshot() == before


# --- helpers ---


def _persona(world: World, role: str) -> User | None:
    attribute = PERSONAS[role]
    person: User | None = getattr(world, attribute) if attribute else None
    return person


def _expected(per_role: PerRole, role: str, which: str) -> Outcome:
    if which == "mixed":  # a child object of another recommendation is never found through this one
        return LOGIN if role == "anonymous" else 404
    if isinstance(per_role, tuple):
        return per_role[0] if which == "own" else per_role[1]
    return per_role


def _send(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    response = getattr(client, method)(url, data)
    if getattr(response, "streaming", False):
        # Exports read their rows while streaming. Reading to the end also closes the response the way the test
        # client expects; closing it again would fire request_finished and close the database connection.
        b"".join(response.streaming_content)
    return response


def check(response: Any, expected: Outcome, what: str) -> None:
    login_url = resolve_url(settings.LOGIN_URL)
    if expected == LOGIN:
        assert response.status_code == 302, f"{what}: {response.status_code}, expected a redirect to sign in"
        assert response["Location"].startswith(login_url), f"{what}: redirected to {response['Location']}"
        return
    assert response.status_code == expected, f"{what}: {response.status_code}, expected {expected}"
    if expected == 302:
        assert not response["Location"].startswith(login_url), f"{what}: sent to sign in"


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row a page or a refused change could touch: recommendations, their history and related rows."""
    return {
        "recommendations": list(Recommendation.objects.order_by("pk").values()),
        "history": list(Recommendation.history.order_by("history_id").values()),
        "themes": list(Recommendation.themes.through.objects.order_by("pk").values()),
        "progress_updates": list(ProgressUpdate.objects.order_by("pk").values()),
        "actions": list(ActionPlanItem.objects.order_by("pk").values()),
        "follow_ups": list(FollowUpActivity.objects.order_by("pk").values()),
        "date_requests": list(TargetDateChangeRequest.objects.order_by("pk").values()),
        "inspections": list(Inspection.objects.order_by("pk").values()),
        "repeats": list(RecurrenceLink.objects.order_by("pk").values()),
        "rounds": list(UpdateRound.objects.order_by("pk").values()),
        "returns": list(RoundReturn.objects.order_by("pk").values()),
        "notifications": list(Notification.objects.order_by("pk").values()),
    }

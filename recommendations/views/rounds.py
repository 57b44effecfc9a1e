"""Update rounds: staff open, follow, chase and close them; each owner updates all their items on one page.

Staff pages answer 403 to anyone else. "Update your recommendations" is its owner's: someone who owns nothing in
the round and was not told of it gets a 404, as for a recommendation out of their scope.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.requests import AuthenticatedRequest
from core.form_fields import error_items
from core.links import url_for
from recommendations import round_selectors, rounds
from recommendations.forms import OpenRoundForm, RoundItemForm
from recommendations.models import UpdateRound
from recommendations.round_selectors import RoundItem
from recommendations.services import WorkflowError

CHANGE_METHODS = ("GET", "HEAD", "POST")
NOTHING_SAID = "Nothing was saved: update at least one recommendation, or tick 'No change since the last update'."


def _staff_only(request: AuthenticatedRequest) -> None:
    if not request.user.is_inspectorate:
        raise PermissionDenied("Update rounds are run by Inspectorate staff.")


# --- staff: the rounds, opening one, following one ---


@login_required
@require_safe
def round_list(request: AuthenticatedRequest) -> HttpResponse:
    _staff_only(request)
    return render(request, "rounds/list.html", {"rounds": round_selectors.rounds_list()})


@login_required
@require_http_methods(CHANGE_METHODS)
def round_open(request: AuthenticatedRequest) -> HttpResponse:
    _staff_only(request)
    form = OpenRoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        opened = rounds.update_round_open(by=request.user, **form.cleaned_data)
        messages.success(request, f"Round opened: its owners have been told ({opened.name})")
        return redirect("recommendations:round_detail", pk=opened.pk)
    status = 400 if form.is_bound else 200
    return render(request, "rounds/open.html", {"form": form}, status=status)


@login_required
@require_safe
def round_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    update_round = get_object_or_404(UpdateRound.objects.select_related("opened_by", "closed_by"), pk=pk)
    regions, total = round_selectors.round_progress(update_round)
    context = {"round": update_round, "regions": regions, "total": total, "today": timezone.localdate()}
    return render(request, "rounds/detail.html", context)


@login_required
@require_POST
def round_chase(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    update_round = get_object_or_404(UpdateRound, pk=pk)
    try:
        chased = rounds.update_round_chase(update_round=update_round, by=request.user)
    except WorkflowError as error:
        messages.error(request, error.messages[0])
        return redirect("recommendations:round_detail", pk=pk)
    if chased:
        messages.success(request, f"Reminder sent to {chased} owner{'s' if chased != 1 else ''}")
    else:
        messages.info(request, "Nobody was reminded: everyone still to return was already reminded today")
    return redirect("recommendations:round_detail", pk=pk)


@login_required
@require_POST
def round_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    update_round = get_object_or_404(UpdateRound, pk=pk)
    try:
        rounds.update_round_close(update_round=update_round, by=request.user)
    except WorkflowError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Round closed: it takes no more returns and sends no more reminders")
    return redirect("recommendations:round_detail", pk=pk)


# --- the owner: "Update your recommendations" ---


@dataclass(frozen=True)
class FieldErrors:
    """Each field's error message ("" for none), as attributes: the template reads five of them an item."""

    progress: str = ""
    text: str = ""
    evidence_url: str = ""
    evidence_file: str = ""


NO_ERRORS = FieldErrors()


@dataclass(frozen=True)
class ItemFields:
    """What templates/rounds/_item.html writes for one item: its fields' prefix, values and errors, and the
    refusals that belong to no field. Plain values, not a form: a form an item cost about 0.3 ms to build and
    several to render through the official macros."""

    prefix: str
    reference: str
    progress: str
    text: str = ""
    evidence_url: str = ""
    no_change: bool = False
    errors: FieldErrors = NO_ERRORS
    refusals: tuple[str, ...] = ()

    @classmethod
    def of(cls, item: RoundItem, form: RoundItemForm | None = None) -> "ItemFields":
        if form is None:
            return cls(f"item-{item.pk}", item.reference, item.progress)
        errors = {name: " ".join(map(str, found)) for name, found in form.errors.items() if name in form.fields}
        return cls(
            form.prefix or "",
            item.reference,
            form["progress"].value() or "",
            text=form["text"].value() or "",
            evidence_url=form["evidence_url"].value() or "",
            no_change=bool(form["no_change"].value()),
            errors=FieldErrors(**errors),
            refusals=tuple(map(str, form.non_field_errors())),
        )


@login_required
@require_http_methods(CHANGE_METHODS)
def round_update(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    update_round = get_object_or_404(UpdateRound, pk=pk)
    items = round_selectors.owner_items(update_round, request.user)
    if not items and not round_selectors.was_told(update_round, request.user):
        raise Http404("You have no recommendations in this round.")
    if request.method != "POST":
        return _update_page(request, update_round, items)
    if not update_round.is_open:
        return _update_page(request, update_round, items, refusal=rounds.ROUND_CLOSED, status=400)
    return _save_returns(request, update_round, items)


def _save_returns(request: AuthenticatedRequest, update_round: UpdateRound, items: list[RoundItem]) -> HttpResponse:
    # A form only for the items the person filled in: an item left as shown still posts its progress.
    said = [item.pk for item in items if _filled_in(request, item)]
    recommendations = round_selectors.owner_recommendations(update_round, request.user, said)
    forms = {
        pk: RoundItemForm(request.POST, request.FILES, recommendation=recommendation)
        for pk, recommendation in recommendations.items()
    }
    valid = [form for form in forms.values() if form.is_valid() and not form.is_blank]
    returns = [rounds.ItemReturn(form.recommendation, form.update()) for form in valid]
    saved, refused = rounds.round_return(update_round=update_round, by=request.user, items=returns)
    for failure in refused:
        forms[failure.recommendation.pk].add_error(None, failure.messages)
    strangers = _strangers(request, {item.pk for item in items})
    failed = {pk: form for pk, form in forms.items() if form.errors}
    if saved and not failed and not strangers:
        messages.success(request, f"{saved} update{'s' if saved != 1 else ''} saved. Thank you.")
        return redirect("recommendations:round_update", pk=update_round.pk)
    refusal = "" if saved or failed or strangers else NOTHING_SAID
    fresh = round_selectors.owner_items(update_round, request.user)  # what was just saved shows as returned
    return _update_page(
        request, update_round, fresh, bound=failed, saved=saved, strangers=strangers, refusal=refusal, status=400
    )


def _filled_in(request: AuthenticatedRequest, item: RoundItem) -> bool:
    prefix = f"item-{item.pk}-"
    progress = request.POST.get(prefix + "progress", item.progress)
    posted = (request.POST.get(prefix + name, "").strip() for name in ("text", "evidence_url", "no_change"))
    return progress != item.progress or any(posted) or bool(request.FILES.get(prefix + "evidence_file"))


def _strangers(request: AuthenticatedRequest, own: set[int]) -> list[str]:
    """Recommendation ids posted that are not the person's items in this round: nothing is saved for them."""
    posted = {key.split("-")[1] for key in [*request.POST, *request.FILES] if key.startswith("item-")}
    return sorted(pk for pk in posted if not pk.isdigit() or int(pk) not in own)


def _update_page(
    request: AuthenticatedRequest,
    update_round: UpdateRound,
    items: list[RoundItem],
    *,
    bound: dict[int, RoundItemForm] | None = None,
    saved: int = 0,
    strangers: list[str] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    context: dict[str, Any] = {
        "round": update_round,
        "items": [(item, ItemFields.of(item, bound.get(item.pk))) for item in items],
        "detail_url": url_for("recommendations:detail"),
        "errors": _error_list(items, bound),
        "saved": saved,
        "strangers": strangers or [],
        "refusal": refusal,
        "today": timezone.localdate(),
        "returned": sum(1 for item in items if item.returned_on),
    }
    return render(request, "rounds/update.html", context, status=status)


def _error_list(items: list[RoundItem], bound: dict[int, RoundItemForm]) -> list[dict[str, str]]:
    """The error summary: each item's errors, named by its reference, linking to the field."""
    found = []
    for item in items:
        if item.pk in bound:
            found += [{**error, "text": f"{item.reference}: {error['text']}"} for error in error_items(bound[item.pk])]
    return found

"""One digest email: fetch everything it shows (two queries), group it, render it from templates/emails/.

Rendering works on plain values fetched up front, so no template triggers a query. The HTML part is autoescaped;
the plain-text templates turn autoescaping off, so "A & B" reads as typed there (text/plain has nothing to escape).
"""

import dataclasses
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from recommendations.models import Recommendation
from reminders.models import Digest, DigestItem, ReminderKind
from reminders.policy import load_rules

OVERDUE, RESPONSE, DUE_SOON = "overdue", "response", "due_soon"
SECTION_TITLES = {
    OVERDUE: "Overdue",
    RESPONSE: "Response or action plan overdue",
    DUE_SOON: "Target date approaching",
}
ITEM_FIELDS = (
    "recommendation_id",
    "kind",
    "recommendation__addressee",
    "recommendation__number",
    "recommendation__text",
    "recommendation__target_date",
    "recommendation__region__name",
    "recommendation__inspection__title",
    "recommendation__inspection__reference",
    "recommendation__inspection__published_on",
)


@dataclass(frozen=True)
class DigestLine:
    pk: int
    reference: str
    text: str
    region: str
    report_title: str
    report_reference: str
    published_on: datetime.date | None
    target_date: datetime.date | None
    days_overdue: int
    days_left: int | None
    reasons: tuple[str, ...]
    url: str

    response_days_late: int | None = None

    @property
    def when(self) -> str:
        if self.days_overdue:
            return f"{self.days_overdue} day{'s' if self.days_overdue != 1 else ''} overdue"
        if self.response_days_late is not None:
            return (
                "Response due today" if not self.response_days_late else f"Response {self.response_days_late} days late"
            )
        if self.days_left is None:
            return "No target date"
        return (
            "Due today" if self.days_left == 0 else f"Due in {self.days_left} day{'s' if self.days_left != 1 else ''}"
        )


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: str
    lines: tuple[DigestLine, ...]


@dataclass(frozen=True)
class DigestContent:
    digest_id: int
    email: str
    name: str
    period: datetime.date
    message_id: str
    sections: tuple[DigestSection, ...]
    preferences_url: str

    @property
    def count(self) -> int:
        return sum(len(section.lines) for section in self.sections)

    @property
    def overdue(self) -> int:
        return sum(len(section.lines) for section in self.sections if section.key == OVERDUE)

    @property
    def escalation(self) -> bool:
        label = ReminderKind.ESCALATION.label
        return any(label in line.reasons for section in self.sections for line in section.lines)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def recommendation_url(pk: int) -> str:
    try:
        path = reverse("recommendations:detail", args=[pk])
    except NoReverseMatch:  # the detail page's route is not installed: its agreed address
        path = f"/recommendations/{pk}/"
    return absolute_url(path)


def load_digest(digest_id: int) -> DigestContent | None:
    """Everything the email shows, in three queries; None when the digest has no items (left)."""
    digest = Digest.objects.select_related("recipient").get(pk=digest_id)
    rows = list(DigestItem.objects.filter(digest_id=digest_id).values_list(*ITEM_FIELDS))
    if not rows:
        return None
    recipient = digest.recipient
    return DigestContent(
        digest_id=digest.pk,
        email=digest.email,
        name=(recipient.first_name or recipient.get_full_name()) if recipient else "",
        period=digest.period,
        message_id=digest.message_id,
        sections=build_sections(rows, digest.period, load_rules().response_due_days),
        preferences_url=absolute_url(reverse("reminders:preferences")),
    )


def build_sections(rows: list[tuple], today: datetime.date, response_due_days: int = 56) -> tuple[DigestSection, ...]:
    """One line per recommendation, grouped: overdue (oldest target first), late responses, approaching."""
    reasons: dict[int, list[str]] = {}
    lines: dict[int, DigestLine] = {}
    for row in rows:
        reasons.setdefault(row[0], []).append(row[1])
        lines.setdefault(row[0], _line(row, today))
    grouped: dict[str, list[DigestLine]] = {OVERDUE: [], RESPONSE: [], DUE_SOON: []}
    for pk, line in lines.items():
        kinds = reasons[pk]
        key = OVERDUE if line.days_overdue else RESPONSE if ReminderKind.RESPONSE_OVERDUE in kinds else DUE_SOON
        late = (today - line.published_on).days - response_due_days if key == RESPONSE and line.published_on else None
        grouped[key].append(_with(line, reasons=_labels(kinds), response_days_late=late))
    grouped[OVERDUE].sort(key=lambda line: (line.target_date, line.reference))
    grouped[RESPONSE].sort(key=lambda line: (line.published_on or today, line.reference))
    grouped[DUE_SOON].sort(key=lambda line: (line.target_date or datetime.date.max, line.reference))
    return tuple(DigestSection(key, SECTION_TITLES[key], tuple(found)) for key, found in grouped.items() if found)


def _line(row: tuple, today: datetime.date) -> DigestLine:
    pk, _, addressee, number, text, target_date, region, title, report_reference, published_on = row
    code = Recommendation(addressee=addressee).addressee_code
    return DigestLine(
        pk=pk,
        reference=f"{report_reference}/{code}{number}",
        text=text,
        region=region or "National",
        report_title=title,
        report_reference=report_reference,
        published_on=published_on,
        target_date=target_date,
        days_overdue=max(0, (today - target_date).days) if target_date else 0,
        days_left=(target_date - today).days if target_date else None,
        reasons=(),
        url=recommendation_url(pk),
    )


def _labels(kinds: list[str]) -> tuple[str, ...]:
    return tuple(kind.label for kind in ReminderKind if kind in kinds)


def _with(line: DigestLine, **changes: object) -> DigestLine:
    return dataclasses.replace(line, **changes)


def render_digest(content: DigestContent) -> EmailMultiAlternatives:
    context = {"digest": content, "sections": content.sections, "name": content.name}
    subject = " ".join(render_to_string("emails/digest-subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/digest-body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[content.email],
        # Stable across attempts: a re-sent copy (see the at-least-once note in sweep.py) can be recognised.
        headers={"Message-ID": content.message_id, "X-Tracker-Digest": str(content.digest_id)},
    )
    message.attach_alternative(render_to_string("emails/digest-body.html", context), "text/html")
    return message

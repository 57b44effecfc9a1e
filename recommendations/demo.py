"""Demo data: the two seed reports, the earlier Kent, Surrey and Sussex inspection, and one user per role.

Safe to run twice: reports import idempotently, users and the earlier inspection are found again, and owners and
target dates are only set where none is set yet. Publication dates are demo values (the seed texts carry none).
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from inspections.models import DomainRating, Inspection, InspectionType, Rating, Region
from recommendations import services
from recommendations.importing import import_report
from recommendations.models import NATIONAL_ADDRESSEES, Addressee, Recommendation

# The seed reports are the inspections app's (inspections/seeds/): found through its app config, not imported.
SEEDS_DIR = Path(apps.get_app_config("inspections").path) / "seeds"
DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    region_code: str | None = None


DEMO_USERS = (
    DemoUser("inspectorate", "Isla", "Inspector", Role.INSPECTORATE),
    DemoUser("kss.lead", "Kim", "Kent", Role.REGIONAL_LEAD, "N57"),
    DemoUser("sc.lead", "Sam", "Central", Role.REGIONAL_LEAD, "N59"),
    DemoUser("hmpps.lead", "Hari", "National", Role.HMPPS_LEAD),
)

SEED_REPORTS = (
    ("kent-surrey-sussex-public-protection-2025.txt", datetime.date(2025, 10, 14)),
    ("south-central-public-protection-2025.txt", datetime.date(2025, 11, 18)),
)

# Spread of target dates (days from today) so that the demo shows overdue, due-soon and later items. Most fall on a
# reminder day of the default policy (30, 7 and 1 days before; the first day overdue; every 7 days overdue; the
# escalation at 28), so that `manage.py send_reminders` sends the demo's people a digest on the day it is loaded
# (they take one every day: reminders/demo.py).
TARGET_OFFSETS = (-28, -10, -1, 1, 7, 30, 120)


def load_demo() -> list[str]:
    """Load everything; returns one line per step for the command to print."""
    lines = []
    users = demo_users()
    for region in Region.objects.filter(code__in=["N57", "N59"]):
        if region.inspectorate_lead_id is None:
            region.inspectorate_lead = users["inspectorate"]
            region.save(update_fields=["inspectorate_lead"])
    for filename, published_on in SEED_REPORTS:
        text = (SEEDS_DIR / filename).read_text(encoding="utf-8")
        result = import_report(text=text, published_on=published_on)
        lines.append(f"{'Imported' if result.created else 'Already there'}: {result.inspection.title}")
    lines.append(f"Earlier inspection: {_earlier_kss_inspection().title}")
    assigned = _assign_owners_and_dates(users)
    lines.append(f"Owners and target dates set on {assigned} recommendation(s)")
    _supersede_repeated_vetting(users["inspectorate"])
    return lines


def demo_users() -> dict[str, User]:
    """The demo's people by username, made if they are not there yet. load_demo calls it; `manage.py load_demo`
    calls it first, to set their reminder preferences before the demo tells them anything (reminders/demo.py)."""
    return {demo.username: _demo_user(demo) for demo in DEMO_USERS}


def _demo_user(demo: DemoUser) -> User:
    if (user := User.objects.filter(username=demo.username).first()) is not None:
        return user
    region = Region.objects.get(code=demo.region_code) if demo.region_code else None
    user = User(
        username=demo.username,
        first_name=demo.first_name,
        last_name=demo.last_name,
        email=f"{demo.username}@example.com",
        role=demo.role,
        region=region,
        is_staff=demo.role == Role.INSPECTORATE,
    )
    user.set_password(DEMO_PASSWORD)
    user.full_clean()  # as the admin checks a person it adds: the region goes with the role (accounts/models.py)
    user.save()
    return user


@transaction.atomic
def _earlier_kss_inspection() -> Inspection:
    """The 2023/24 regional inspection of Kent, Surrey and Sussex, as the news story reports it."""
    inspection, created = Inspection.objects.get_or_create(
        reference="N57-RI-2024",
        defaults={
            "type": InspectionType.REGIONAL,
            "title": "An inspection of probation services in Kent, Surrey and Sussex region",
            "region": Region.objects.get(code="N57"),
            "published_on": datetime.date(2024, 5, 1),
            "overall_rating": Rating.REQUIRES_IMPROVEMENT,
            "summary": (
                "Strong strategic arrangements that were not always translating into effective work with people on "
                "probation, and a fragile staffing picture. Statutory victim work was outstanding."
            ),
        },
    )
    if created:
        DomainRating.objects.bulk_create(
            [
                DomainRating(inspection=inspection, position=1, domain="Overall", rating=Rating.REQUIRES_IMPROVEMENT),
                DomainRating(
                    inspection=inspection, position=2, domain="Statutory victim work", rating=Rating.OUTSTANDING
                ),
            ]
        )
    return inspection


def _assign_owners_and_dates(users: dict[str, User]) -> int:
    staff, today = users["inspectorate"], timezone.localdate()
    count = 0
    pending = Recommendation.objects.filter(owner__isnull=True, target_date__isnull=True).select_related(
        "inspection", "region"
    )
    for index, recommendation in enumerate(pending.order_by("pk")):
        owner = _owner_for(recommendation, users)
        offset = TARGET_OFFSETS[index % len(TARGET_OFFSETS)]
        services.recommendation_assign_owner(recommendation=recommendation, owner=owner, by=staff)
        services.recommendation_set_target_date(
            recommendation=recommendation, target_date=today + datetime.timedelta(days=offset), by=staff
        )
        count += 1
    return count


def _owner_for(recommendation: Recommendation, users: dict[str, User]) -> User | None:
    if recommendation.addressee in NATIONAL_ADDRESSEES:
        return users["hmpps.lead"]
    region_leads = {"N57": users["kss.lead"], "N59": users["sc.lead"]}
    return region_leads.get(recommendation.region.code) if recommendation.region else None


def _supersede_repeated_vetting(staff: User) -> None:
    """The vetting recommendation made to HMPPS in both reports: the later one supersedes the earlier."""
    vetting = list(
        Recommendation.objects.filter(addressee=Addressee.HMPPS, text__icontains="vetting delays").order_by(
            "inspection__published_on"
        )
    )
    if len(vetting) == 2 and vetting[0].superseded_by_id is None and vetting[0].is_active:
        services.recommendation_transition(
            recommendation=vetting[0],
            action="supersede",
            by=staff,
            reason=f"Made again in {vetting[1].inspection.title}; followed up there.",
            superseded_by=vetting[1],
        )

"""Personas and helpers for the recommendation page: an Inspectorate member, the region's lead, another region's
lead, an HMPPS lead; a regional and a national recommendation; uploaded files kept in a temporary MEDIA_ROOT."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from inspections.models import InspectionType
from recommendations.models import Addressee, Recommendation
from tests.factories import SOUTH_CENTRAL, make_inspection, make_recommendation, make_region, make_user

BACKEND = "accounts.backends.ModelBackend"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = media = tmp_path / "media"
    return media


@pytest.fixture
def staff(db: None) -> User:
    return make_user(Role.INSPECTORATE, first_name="Ingrid", last_name="Inspector")


@pytest.fixture
def lead(db: None) -> User:
    return make_user(Role.REGIONAL_LEAD, first_name="Rhys", last_name="Regional")


@pytest.fixture
def other_lead(db: None) -> User:
    return make_user(Role.REGIONAL_LEAD, region=make_region(SOUTH_CENTRAL), first_name="Olga", last_name="Other")


@pytest.fixture
def hmpps_lead(db: None) -> User:
    return make_user(Role.HMPPS_LEAD, first_name="Hari", last_name="National")


TARGET_DATE = datetime.date(2030, 3, 31)


@pytest.fixture
def recommendation(db: None) -> Recommendation:
    # A target date the Inspectorate has set (far ahead: never overdue), which a lead may ask to move.
    return make_recommendation(text="Improve the quality of risk assessments.", target_date=TARGET_DATE)


@pytest.fixture
def national(db: None) -> Recommendation:
    inspection = make_inspection(type=InspectionType.THEMATIC, title="A thematic inspection of vetting")
    text = "Complete vetting before people start."
    return make_recommendation(inspection, addressee=Addressee.HMPPS, text=text, target_date=TARGET_DATE)


def undated(recommendation: Recommendation) -> Recommendation:
    """The recommendation before the Inspectorate has set its first target date."""
    Recommendation.objects.filter(pk=recommendation.pk).update(target_date=None)
    recommendation.target_date = None
    return recommendation


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def url(name: str, recommendation: Recommendation, *extra: int) -> str:
    return reverse(f"recommendations:{name}", args=[recommendation.pk, *extra])


def snapshot(recommendation: Recommendation) -> dict[str, Any]:
    """Everything a refused change must leave as it was: the row, its history and its related rows."""
    fresh = Recommendation.objects.get(pk=recommendation.pk)
    return {
        "row": {field.attname: getattr(fresh, field.attname) for field in Recommendation._meta.concrete_fields},
        "history": fresh.history.count(),
        "progress_updates": fresh.progress_updates.count(),
        "actions": list(fresh.actions.values_list("pk", "completed_on")),
        "follow_ups": fresh.follow_ups.count(),
        "date_requests": list(fresh.target_date_requests.values_list("pk", "status")),
    }


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def post(user: User, name: str, rec: Recommendation, data: dict[str, Any], *extra: int, **kwargs: Any) -> Any:
    return client_for(user).post(url(name, rec, *extra), data, **kwargs)


def latest_history(recommendation: Recommendation) -> Any:
    return recommendation.history.order_by("-history_id").first()


def previous_history(recommendation: Recommendation) -> Any:
    return recommendation.history.order_by("-history_id")[1]

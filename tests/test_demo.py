"""The demo data: everything the first README command promises, and safe to load twice."""

import pytest
from django.core.management import call_command

from accounts.models import Role, User
from inspections.models import Inspection, Rating
from recommendations.demo import DEMO_PASSWORD
from recommendations.models import Addressee, Recommendation, Status

pytestmark = pytest.mark.django_db


def _table_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "inspections": Inspection.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "history": Recommendation.history.count(),
    }


def test_demo_loads_reports_users_owners_and_dates() -> None:
    call_command("load_demo", verbosity=0)

    assert Inspection.objects.count() == 3
    earlier = Inspection.objects.get(reference="N57-RI-2024")
    assert earlier.overall_rating == Rating.REQUIRES_IMPROVEMENT
    assert earlier.domain_ratings.filter(domain="Statutory victim work", rating=Rating.OUTSTANDING).exists()
    assert Recommendation.objects.filter(addressee=Addressee.REGION).count() == 5
    assert Recommendation.objects.filter(addressee=Addressee.HMPPS).count() == 7
    assert not Recommendation.objects.filter(owner__isnull=True).exists()
    assert not Recommendation.objects.filter(target_date__isnull=True).exists()
    assert Recommendation.objects.overdue().exists()


def test_demo_users_can_sign_in_with_their_roles() -> None:
    call_command("load_demo", verbosity=0)

    roles = dict(User.objects.values_list("username", "role"))
    assert roles == {
        "inspectorate": Role.INSPECTORATE,
        "kss.lead": Role.REGIONAL_LEAD,
        "sc.lead": Role.REGIONAL_LEAD,
        "hmpps.lead": Role.HMPPS_LEAD,
    }
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
    kss_lead = User.objects.get(username="kss.lead")
    assert set(kss_lead.owned_recommendations.values_list("region__code", flat=True)) == {"N57"}


def test_demo_links_the_repeated_vetting_recommendation() -> None:
    call_command("load_demo", verbosity=0)

    superseded = Recommendation.objects.get(status=Status.SUPERSEDED)
    assert "vetting delays" in superseded.text
    assert superseded.superseded_by is not None
    assert "vetting delays" in superseded.superseded_by.text
    assert superseded.superseded_by.inspection != superseded.inspection


def test_demo_is_safe_to_run_twice() -> None:
    call_command("load_demo", verbosity=0)
    before = _table_counts()

    call_command("load_demo", verbosity=0)

    assert _table_counts() == before

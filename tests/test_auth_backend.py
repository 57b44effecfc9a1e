"""The signed-in person is read with their region, in the one query of every request (accounts/backends.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import ModelBackend
from accounts.models import Role
from tests.factories import make_region, make_user


@pytest.mark.django_db
def test_the_person_comes_with_their_region_in_one_query() -> None:
    lead = make_user(Role.REGIONAL_LEAD, region=make_region())
    with CaptureQueriesContext(connection) as queries:
        found = ModelBackend().get_user(lead.pk)
        assert found is not None and found.region is not None and lead.region is not None
        assert found.region.name == lead.region.name
    assert len(queries) == 1


@pytest.mark.django_db
def test_nobody_for_an_unknown_or_inactive_person() -> None:
    gone = make_user(is_active=False)
    assert ModelBackend().get_user(gone.pk) is None
    assert ModelBackend().get_user(gone.pk + 1000) is None


@pytest.mark.django_db
def test_a_lead_signed_in_sees_my_actions_naming_their_region(client) -> None:
    lead = make_user(Role.REGIONAL_LEAD, region=make_region())
    client.force_login(lead)
    response = client.get("/my-actions/")
    assert lead.region is not None
    assert response.status_code == 200 and lead.region.name in response.content.decode()

"""The recommendation page's row: the same recommendation, report, region, PDU and owner as the ORM's
select_related gives, read in one query of only what the page shows; 404 outside the person's scope."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from recommendations.models import Addressee, Recommendation
from recommendations.views.detail import PAGE_FIELDS, recommendation_for_page
from tests.factories import make_inspection, make_recommendation, make_user

pytestmark = pytest.mark.django_db

RELATED = ("inspection", "region", "pdu", "owner")


def shown(recommendation: Recommendation) -> dict[str, object]:
    """Every value the page reads, through the instance and its related objects."""
    values: dict[str, object] = {"pk": recommendation.pk}
    for name in PAGE_FIELDS:
        via, _, column = name.partition("__")
        related = getattr(recommendation, via) if column else recommendation
        values[name] = getattr(related, column or name, None) if related is not None else None
    values.update({f"{via}_pk": getattr(getattr(recommendation, via), "pk", None) for via in RELATED})
    return values


@pytest.mark.parametrize("addressee", [Addressee.REGION, Addressee.PDU, Addressee.HMPPS])
def test_page_row_is_what_the_orm_reads(staff, lead, addressee) -> None:
    inspection = make_inspection() if addressee != Addressee.HMPPS else make_inspection(type="thematic")
    recommendation = make_recommendation(inspection, addressee=addressee, owner=lead if addressee != "hmpps" else None)
    expected = shown(Recommendation.objects.select_related(*RELATED).get(pk=recommendation.pk))
    with CaptureQueriesContext(connection) as queries:
        found = recommendation_for_page(staff, recommendation.pk)
        assert shown(found) == expected
    assert len(queries) == 1
    # Only what the page shows: not the report's imported text (about 25 kB), nor when the row was saved.
    for column in ("source_text", "follow_up_promise", "updated_at", "created_at"):
        assert f'."{column}"' not in queries[0]["sql"], column


def test_page_row_is_404_outside_the_scope(lead, hmpps_lead, national, recommendation) -> None:
    assert recommendation_for_page(lead, recommendation.pk).pk == recommendation.pk
    assert recommendation_for_page(hmpps_lead, national.pk).pk == national.pk
    for user, stranger in ((lead, national), (hmpps_lead, recommendation)):
        with pytest.raises(Http404):
            recommendation_for_page(user, stranger.pk)
    with pytest.raises(Http404):
        recommendation_for_page(make_user(Role.REGIONAL_LEAD, is_active=False), recommendation.pk)


@pytest.mark.parametrize("prefix", ["/", "/tracker/"])
def test_pk_url_is_what_reverse_gives(prefix) -> None:
    from django.urls import get_script_prefix, reverse, set_script_prefix

    from core.links import pk_url

    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        for name, pks in (("recommendations:detail", (7,)), ("recommendations:complete_action", (12, 345))):
            assert pk_url(name, *pks) == reverse(name, args=pks)
    finally:
        set_script_prefix(before)

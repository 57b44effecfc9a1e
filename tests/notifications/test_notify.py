"""notify(): one notification per event, only to active people, committed with the event or not at all."""

import pytest
from django.db import transaction

from accounts.models import Role, User
from recommendations.models import Notification, NotificationKind
from recommendations.notifications import notify
from tests.factories import make_recommendation, make_region, make_user

pytestmark = pytest.mark.django_db


def _tell(recipient: User | None, key: str = "owner:1") -> Notification | None:
    return notify(recipient, NotificationKind.OWNER_ASSIGNED, key=key, title="You are the owner of R1")


def test_the_same_event_is_told_once():
    lead = make_user(Role.REGIONAL_LEAD, region=make_region())
    first = _tell(lead)
    second = _tell(lead)
    assert first is not None and second is None
    assert list(Notification.objects.values_list("recipient", "key")) == [(lead.pk, "owner:1")]


def test_nobody_or_an_inactive_person_is_not_told():
    gone = make_user(Role.REGIONAL_LEAD, region=make_region(), is_active=False)
    assert _tell(None) is None
    assert _tell(gone) is None
    assert not Notification.objects.exists()


def test_a_notification_is_rolled_back_with_its_event():
    lead = make_user(Role.REGIONAL_LEAD, region=make_region())
    recommendation = make_recommendation()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(lead, NotificationKind.OWNER_ASSIGNED, key="owner:x", title="t", recommendation=recommendation)
        raise RuntimeError("the event failed")
    assert not Notification.objects.exists()
    assert _tell(lead, key="owner:x") is not None


def test_unread_counts_only_what_is_not_read():
    lead = make_user(Role.REGIONAL_LEAD, region=make_region())
    _tell(lead, key="a")
    read = _tell(lead, key="b")
    assert read is not None
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    assert lead.notifications.unread().count() == 1

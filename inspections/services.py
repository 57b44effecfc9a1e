"""Writes on inspections: putting them on the public pages and taking them off (the admin's actions)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.shared_cache import records_changed
from inspections.models import InspectionQuerySet

ONLY_STAFF_PUBLISH = "Only Inspectorate staff put inspections on the public pages or take them off."


def report_published() -> Q:
    """Inspections whose report the Inspectorate has published (dated today or before): only those may go on the
    public pages, so that nothing of a report under embargo is shown early."""
    return Q(published_on__isnull=False, published_on__lte=timezone.localdate())


@transaction.atomic
def inspections_publish_to_public(*, inspections: InspectionQuerySet, by: User) -> int:
    """Put these inspections on the public pages, noting who and when; those already there keep their date, and
    those whose report is not yet published are left off. Returns how many were put there."""
    if not by.is_inspectorate:
        raise PermissionDenied(ONLY_STAFF_PUBLISH)
    ready = inspections.filter(report_published(), published_to_public_at__isnull=True)
    published = ready.update(published_to_public_at=timezone.now(), published_to_public_by=by)
    if published:
        records_changed()
    return published


@transaction.atomic
def inspections_withdraw_from_public(*, inspections: InspectionQuerySet, by: User) -> int:
    """Take these inspections off the public pages, at once for every reader. Returns how many were there."""
    if not by.is_inspectorate:
        raise PermissionDenied(ONLY_STAFF_PUBLISH)
    shown = inspections.filter(published_to_public_at__isnull=False)
    withdrawn = shown.update(published_to_public_at=None, published_to_public_by=None)
    if withdrawn:
        records_changed()
    return withdrawn

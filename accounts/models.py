from typing import Any

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    INSPECTORATE = "inspectorate", "Inspectorate staff"
    REGIONAL_LEAD = "regional_lead", "Regional lead"
    HMPPS_LEAD = "hmpps_lead", "HMPPS lead"


def inspectorate_role() -> Q:
    """A filter on users: Inspectorate staff by role (superusers count as staff), active or not."""
    return Q(role=Role.INSPECTORATE) | Q(is_superuser=True)


def inspectorate_staff() -> Q:
    """A filter on users: active Inspectorate staff, as User.is_inspectorate; they see every recommendation."""
    return inspectorate_role() & Q(is_active=True)


# A regional lead answers for one region; the other roles answer for none (their scope ignores a region).
REGION_MATCHES_ROLE = Q(role=Role.REGIONAL_LEAD, region__isnull=False) | (~Q(role=Role.REGIONAL_LEAD) & Q(region=None))


def region_refusal(role: str, region_id: object) -> str:
    """Why a person of `role` may not have this region (None for none), or "" if they may: REGION_MATCHES_ROLE in
    words, for the admin's forms and every other path that makes or changes people."""
    if role == Role.REGIONAL_LEAD and region_id is None:
        return "Choose the region this regional lead answers for."
    if role != Role.REGIONAL_LEAD and region_id is not None:
        return "Only a regional lead has a region: leave it empty for this role."
    return ""


def may_manage_people(user: Any) -> bool:
    """Whether `user` may add and change people in the admin: active Inspectorate staff allowed into it (staff
    status), as every other admin page asks (leads given staff status by mistake get nothing)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_staff and user.is_inspectorate)


def may_manage_person(user: Any, person: Any) -> bool:
    """Whether `user` may change `person` (None: anyone): their details, role, region, whether they are active, or
    send them a set-your-password email. Only a superuser changes a superuser, so that nobody can take over an
    account with more power than their own."""
    if not may_manage_people(user):
        return False
    return user.is_superuser or person is None or not person.is_superuser


class User(AbstractUser):
    """A person who signs in. Their role and region decide what they may see and change."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.INSPECTORATE)
    region = models.ForeignKey(
        "inspections.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text="Regional leads only: the region whose recommendations they answer for.",
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=REGION_MATCHES_ROLE,
                name="user_region_matches_role",
                violation_error_message="A regional lead must belong to a region, and nobody else to one.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        """The region goes with the role; and a change of either must not leave them owning open work they could then
        not see."""
        super().clean()
        if refusal := region_refusal(self.role, self.region_id):
            raise ValidationError({"region": refusal})
        # Someone who leaves is deactivated: reminders go to active people only, so that needs no check.
        if self._state.adding or not self.is_active:
            return
        stored = User.objects.filter(pk=self.pk).values("role", "region_id", "is_superuser").first()
        changed = [name for name, value in (stored or {}).items() if getattr(self, name) != value]
        # Through the reverse relation: recommendations.models (and its scoping rules) import this module.
        if changed and (count := self.owned_recommendations.active().out_of_sight_of(self).count()):
            field = changed[0].removesuffix("_id")
            owned = f"{count} open recommendation{'s' if count != 1 else ''}"
            seen = "they could not see with this role and region"
            raise ValidationError({field: f"{self} owns {owned} {seen}: give them to someone else first."})

    @property
    def is_inspectorate(self) -> bool:
        return self.is_active and (self.role == Role.INSPECTORATE or self.is_superuser)

    @property
    def is_regional_lead(self) -> bool:
        return self.is_active and self.role == Role.REGIONAL_LEAD

    @property
    def is_hmpps_lead(self) -> bool:
        return self.is_active and self.role == Role.HMPPS_LEAD


# Whoever makes a request: a signed-in User, or Django's AnonymousUser before sign-in. The scoping rules
# (recommendations/permissions.py) take either, and let the anonymous see nothing.
Person = User | AnonymousUser

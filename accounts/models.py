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


class User(AbstractUser):
    """A person who signs in. Their role and region decide what they may see and change."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.INSPECTORATE)
    region = models.ForeignKey(
        "inspections.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text="Required for regional leads: the region whose recommendations they answer for.",
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.REGIONAL_LEAD, region__isnull=False) | ~Q(role=Role.REGIONAL_LEAD),
                name="user_regional_lead_has_region",
                violation_error_message="A regional lead must belong to a region.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        """A change of role or region must not leave them owning open work they could then not see."""
        super().clean()
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

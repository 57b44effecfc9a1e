from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from recommendations import permissions


class Role(models.TextChoices):
    INSPECTORATE = "inspectorate", "Inspectorate staff"
    REGIONAL_LEAD = "regional_lead", "Regional lead"
    HMPPS_LEAD = "hmpps_lead", "HMPPS lead"


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

    # --- what they may see: a change of role or region must not leave them owning what they could not see ---

    SCOPE_FIELDS = ("role", "region_id", "is_superuser")

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):  # type: ignore[no-untyped-def]
        user = super().from_db(db, field_names, values, **kwargs)
        user._loaded_scope = user._scope()
        return user

    def _scope(self) -> tuple[object, ...]:
        return tuple(self.__dict__.get(name) for name in self.SCOPE_FIELDS)

    def clean(self) -> None:
        super().clean()
        loaded = getattr(self, "_loaded_scope", None)
        # Someone who leaves is deactivated: reminders go to active people only, so that needs no check.
        if loaded is None or loaded == self._scope() or not self.is_active:
            return
        if count := permissions.owned_out_of_sight(self).count():
            field = "role" if loaded[0] != self.role else "region" if loaded[1] != self.region_id else "is_superuser"
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

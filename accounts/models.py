from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


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

    @property
    def is_inspectorate(self) -> bool:
        return self.is_active and (self.role == Role.INSPECTORATE or self.is_superuser)

    @property
    def is_regional_lead(self) -> bool:
        return self.is_active and self.role == Role.REGIONAL_LEAD

    @property
    def is_hmpps_lead(self) -> bool:
        return self.is_active and self.role == Role.HMPPS_LEAD

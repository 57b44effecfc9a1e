"""Regions, inspections and what an inspection report found (ratings, scores, contextual facts)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import inspectorate_staff

# Region.inspectorate_lead accepts only people who see every recommendation of the region (inspectorate_staff).
NOT_INSPECTORATE_STAFF = "The Inspectorate lead must be active Inspectorate staff."


class Region(models.Model):
    """One of the 12 probation regions of England and Wales (seeded by a data migration)."""

    code = models.CharField(max_length=8, unique=True, help_text="Case-management region code, e.g. N57.")
    name = models.CharField(max_length=100, unique=True)
    inspectorate_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_regions",
        # Escalations carry the text of every overdue recommendation of the region: only staff may read them all.
        limit_choices_to=inspectorate_staff,
        error_messages={"invalid": NOT_INSPECTORATE_STAFF},
        help_text="The Inspectorate's lead for this region: receives escalations about its overdue items.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProbationDeliveryUnit(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="pdus")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["region__name", "name"]
        verbose_name = "probation delivery unit (PDU)"
        verbose_name_plural = "probation delivery units (PDUs)"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="pdu_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class InspectionType(models.TextChoices):
    PUBLIC_PROTECTION = "public_protection", "Dynamic inspection of public protection"
    REGIONAL = "regional", "Regional inspection"
    PDU = "pdu", "PDU inspection"
    THEMATIC = "thematic", "Thematic inspection"
    YOUTH_JUSTICE = "youth_justice", "Youth justice inspection"


# Types whose reports carry an overall rating; dynamic public protection inspections only score key questions.
RATED_TYPES = (InspectionType.REGIONAL, InspectionType.PDU, InspectionType.YOUTH_JUSTICE)
REGIONAL_TYPES = (InspectionType.PUBLIC_PROTECTION, InspectionType.REGIONAL, InspectionType.PDU)


class Rating(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def with_region(self) -> "InspectionQuerySet":
        return self.select_related("region", "pdu")

    def published_to_public(self) -> "InspectionQuerySet":
        """Those Inspectorate staff have put on the public pages (recommendations/permissions.py scopes by it)."""
        return self.filter(published_to_public_at__isnull=False)


class Inspection(models.Model):
    reference = models.SlugField(max_length=40, unique=True, help_text="Short unique reference, e.g. N57-PP-2025.")
    type = models.CharField(max_length=24, choices=InspectionType.choices)
    title = models.CharField(max_length=300)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        help_text="Empty for national or thematic work.",
    )
    pdu = models.ForeignKey(
        ProbationDeliveryUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections"
    )
    fieldwork_started_on = models.DateField(null=True, blank=True)
    fieldwork_ended_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    cases_inspected = models.PositiveIntegerField(null=True, blank=True)
    overall_rating = models.CharField(max_length=24, choices=Rating.choices, blank=True)
    lead_inspector = models.CharField(max_length=120, blank=True, help_text="As named in the report.")
    summary = models.TextField(blank=True, help_text="The Chief Inspector's judgement, as published.")
    follow_up_promise = models.TextField(blank=True, help_text="The report's 'Follow-up activity' section.")
    source_url = models.URLField(max_length=500, blank=True)
    source_text = models.TextField(blank=True, help_text="The report text this inspection was imported from.")
    # SHA-256 of the normalised source text: re-importing the same report finds this row instead of a new one.
    source_digest = models.CharField(max_length=64, blank=True, editable=False)
    # Shown on the public pages (no sign-in) from this moment; set and cleared by inspections/services.py only.
    published_to_public_at = models.DateTimeField("on the public pages since", null=True, blank=True, editable=False)
    published_to_public_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Who put it there stays on record; a person is deactivated, not deleted, so this rarely empties.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="put on the public pages by",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_digest"], condition=~Q(source_digest=""), name="inspection_unique_source"
            ),
            models.CheckConstraint(
                condition=Q(overall_rating="") | Q(type__in=RATED_TYPES),
                name="inspection_rating_only_for_rated_types",
                violation_error_message="This type of inspection carries no overall rating.",
            ),
            models.CheckConstraint(
                condition=Q(region__isnull=False) | ~Q(type__in=REGIONAL_TYPES),
                name="inspection_regional_types_have_region",
                violation_error_message="Regional, PDU and public protection inspections need a region.",
            ),
            models.CheckConstraint(
                condition=Q(pdu__isnull=False) | ~Q(type=InspectionType.PDU),
                name="inspection_pdu_type_has_pdu",
                violation_error_message="A PDU inspection needs its PDU.",
            ),
            models.CheckConstraint(
                condition=Q(fieldwork_started_on__isnull=True)
                | Q(fieldwork_ended_on__isnull=True)
                | Q(fieldwork_ended_on__gte=F("fieldwork_started_on")),
                name="inspection_fieldwork_in_order",
                violation_error_message="Fieldwork cannot end before it starts.",
            ),
        ]
        indexes = [
            # The inspection list and the region page: newest reports of one region first.
            models.Index(fields=["region", "-published_on"], name="inspection_region_published"),
            # The public pages: the few inspections on them, among all.
            models.Index(
                fields=["-published_on"],
                condition=Q(published_to_public_at__isnull=False),
                name="inspection_public",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DomainRating(models.Model):
    """One row of a rated report's ratings table (e.g. 'Leadership': Good)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="domain_ratings")
    position = models.PositiveSmallIntegerField()
    domain = models.CharField(max_length=200)
    rating = models.CharField(max_length=24, choices=Rating.choices)

    class Meta:
        ordering = ["inspection", "position"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "domain"], name="domain_rating_unique_domain"),
            models.UniqueConstraint(fields=["inspection", "position"], name="domain_rating_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.get_rating_display()}"


class Score(models.Model):
    """A key question of the scoring table with the percentage of inspected cases answered 'Yes'."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="scores")
    position = models.PositiveSmallIntegerField()
    question = models.CharField(max_length=300)
    percentage_yes = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["inspection", "position"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "question"], name="score_unique_question"),
            models.UniqueConstraint(fields=["inspection", "position"], name="score_unique_position"),
            models.CheckConstraint(
                condition=Q(percentage_yes__gte=0) & Q(percentage_yes__lte=100),
                name="score_percentage_in_range",
                violation_error_message="A percentage is between 0 and 100.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} {self.percentage_yes}%"


class ContextualFact(models.Model):
    """A key contextual fact. Grouped tables (staffing by grade…) become one row per category."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="facts")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=300)
    category = models.CharField(max_length=200, blank=True, help_text="Column of a grouped table, e.g. 'PO'.")
    value = models.CharField(max_length=100, help_text="As published: '15,158', '89.8%', 'Not available'.")
    period = models.CharField(max_length=120, blank=True, help_text="e.g. 'on 30 June 2025'.")

    class Meta:
        ordering = ["inspection", "position"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "position"], name="fact_unique_position"),
            models.UniqueConstraint(fields=["inspection", "label", "category"], name="fact_unique_label"),
        ]

    def __str__(self) -> str:
        label = f"{self.label} - {self.category}" if self.category else self.label
        return f"{label}: {self.value}"

"""The admin: Inspectorate staff edit the reminder policy and read the record of every reminder sent."""

from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, reverse
from django.utils.html import format_html

from accounts.requests import signed_in_user
from inspections.admin import AdminMixinBase
from recommendations.models import Notification
from reminders.admin_preview import preview_urls
from reminders.models import Digest, DigestItem, DigestStatus, NotificationEmail, ReminderPolicy, ReminderPreference

if TYPE_CHECKING:  # a model instance with the attributes its queryset's annotate() added
    from django_stubs_ext import WithAnnotations

    class ItemCount(TypedDict):
        item_count: int


def is_inspectorate_staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "is_inspectorate", False))


class InspectorateOnly(AdminMixinBase):
    """Only Inspectorate staff see these pages, whatever 'staff status' someone else was given."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_inspectorate_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_inspectorate_staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_inspectorate_staff(request)


class ReadOnly(InspectorateOnly):
    """A record of what happened: nobody adds, edits or deletes it by hand."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(InspectorateOnly, admin.ModelAdmin[ReminderPolicy]):
    list_display = ("__str__", "days_before", "repeat_overdue_every_days", "escalate_after_days_overdue", "updated_at")
    autocomplete_fields = ("escalation_contact_user",)
    readonly_fields = ("updated_at", "updated_by")
    fieldsets = (
        ("Before the target date", {"fields": ("days_before",)}),
        ("Overdue", {"fields": ("remind_first_day_overdue", "repeat_overdue_every_days")}),
        (
            "Escalation to the Inspectorate",
            {
                "fields": (
                    "escalate_after_days_overdue",
                    "escalate_to_region_lead",
                    "escalation_contact_user",
                    "escalation_contact_email",
                )
            },
        ),
        ("Response or action plan", {"fields": ("response_due_days",)}),
        ("Decisions by the Inspectorate", {"fields": ("decision_due_days",)}),
        ("Changed", {"fields": ("updated_at", "updated_by")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One policy: the seeded row. A second one is refused by the database as well.
        return is_inspectorate_staff(request) and not ReminderPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ReminderPolicy, form: Any, change: bool) -> None:
        obj.updated_by = signed_in_user(request)
        super().save_model(request, obj, form, change)


class DigestItemInline(InspectorateOnly, admin.TabularInline[DigestItem, Digest]):
    model = DigestItem
    fields = ("recommendation_link", "kind")
    readonly_fields = ("recommendation_link", "kind")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[DigestItem]:
        return super().get_queryset(request).select_related("recommendation__inspection")

    @admin.display(description="Recommendation")
    def recommendation_link(self, item: DigestItem) -> str:
        url = reverse("admin:recommendations_recommendation_change", args=[item.recommendation_id])
        return format_html('<a href="{}">{}</a>', url, item.recommendation)


class NotificationEmailInline(InspectorateOnly, admin.TabularInline[NotificationEmail, Any]):
    """Which notifications an email carried (one, or a day's summary), or which email carried a notification:
    read-only, each a link to the other's page."""

    model = NotificationEmail
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("digest" if isinstance(obj, Notification) else "notification", "withheld")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.get_fields(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[NotificationEmail]:
        return super().get_queryset(request).select_related("notification__recipient", "digest__recipient")


@admin.register(Digest)
class DigestAdmin(ReadOnly, admin.ModelAdmin[Digest]):
    """Every email sent or to be sent: reminder digests, notifications and daily summaries of notifications."""

    list_display = (
        "period",
        "kind",
        "recipient_name",
        "email",
        "status",
        "reason",
        "item_count",
        "attempts",
        "sent_at",
    )
    list_filter = ("kind", "status", "period")
    date_hierarchy = "period"
    search_fields = ("email", "recipient__username", "recipient__first_name", "recipient__last_name")
    list_select_related = ("recipient",)
    inlines = (DigestItemInline, NotificationEmailInline)
    actions = ("send_again",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Digest]:
        digests: QuerySet[Digest] = super().get_queryset(request)  # the mixins' base says only Model
        return digests.annotate(item_count=Count("items"))

    @admin.display(description="Recipient", ordering="recipient__first_name")
    def recipient_name(self, digest: Digest) -> str:
        return str(digest.recipient or digest.email)

    @admin.display(description="Why not sent")
    def reason(self, digest: Digest) -> str:
        """The mail server's refusal (code and words) or the last error, so that staff can act on it."""
        if digest.status == DigestStatus.SENT or not digest.error:
            return ""
        return digest.error if len(digest.error) <= 200 else digest.error[:199] + "…"

    @admin.display(description="Reminder items", ordering="item_count")
    def item_count(self, digest: "WithAnnotations[Digest, ItemCount]") -> int:
        return digest.item_count

    @admin.action(description="Send the selected unsent digests again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Digest]) -> None:
        from reminders.tasks import send_digest

        unsent = queryset.filter(status__in=[DigestStatus.FAILED, DigestStatus.PENDING, DigestStatus.REFUSED])
        ids = list(unsent.values_list("pk", flat=True))
        # A full set of retries again; a refused one (say, its address since corrected) is tried like a failed one.
        unsent.exclude(status=DigestStatus.PENDING).update(status=DigestStatus.FAILED, attempts=0, smtp_code=None)
        for digest_id in ids:
            send_digest.delay(digest_id)
        self.message_user(request, f"{len(ids)} digest(s) queued to be sent again.", messages.SUCCESS)


@admin.register(DigestItem)
class DigestItemAdmin(ReadOnly, admin.ModelAdmin[DigestItem]):
    """Every reminder, one row per recommendation and reason: search by report reference to see an item's."""

    list_display = ("recommendation", "kind", "recipient", "status", "sent_at")
    list_filter = ("kind", "digest__status")
    search_fields = ("recommendation__inspection__reference", "digest__email", "digest__recipient__last_name")
    list_select_related = ("recommendation__inspection", "digest__recipient")

    @admin.display(description="Sent to")
    def recipient(self, item: DigestItem) -> str:
        return str(item.digest.recipient or item.digest.email)

    @admin.display(description="Status", ordering="digest__status")
    def status(self, item: DigestItem) -> str:
        return item.digest.get_status_display()

    @admin.display(description="Sent at", ordering="digest__sent_at")
    def sent_at(self, item: DigestItem) -> Any:
        return item.digest.sent_at


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(InspectorateOnly, admin.ModelAdmin[ReminderPreference]):
    list_display = ("user", "frequency", "days", "weekly_day", "updated_at")
    list_filter = ("frequency",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    autocomplete_fields = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_inspectorate_staff(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_inspectorate_staff(request)

    def get_urls(self) -> list[URLPattern]:
        # The preview comes first: the default URLs end in a catch-all for object ids.
        return [*preview_urls(self), *super().get_urls()]


@admin.register(Notification)
class NotificationAdmin(ReadOnly, admin.ModelAdmin[Notification]):
    """What each person was told, in the app and by email: a record, read-only."""

    list_display = ("created_at", "recipient", "kind", "title", "read_at", "email_status")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    date_hierarchy = "created_at"
    search_fields = ("title", "key", "recipient__username", "recipient__first_name", "recipient__last_name")
    list_select_related = ("recipient", "email__digest")
    inlines = (NotificationEmailInline,)

    @admin.display(description="Email")
    def email_status(self, notification: Notification) -> str:
        link = getattr(notification, "email", None)  # None: not yet in an email (the outbox's to send)
        if link is None:
            return "Not yet sent"
        return "Left out (may no longer see it)" if link.withheld else link.digest.get_status_display()

"""The admin's digest preview: what a person's next reminder email would say, sent and recorded nowhere.

For whoever may view reminder preferences in the admin: Inspectorate staff only (reminders/admin.py)."""

from typing import Any

from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from accounts.models import User
from reminders.digest import next_digest, render_digest
from reminders.forms import DigestPreviewForm
from reminders.models import WEEKDAYS, ReminderPreference
from reminders.policy import digest_days_of

TEMPLATE = "admin/reminders/reminderpreference/preview.html"


def preview_urls(model_admin: ModelAdmin[ReminderPreference]) -> list[URLPattern]:
    """The preview page's URL, for ReminderPreferenceAdmin.get_urls() to put before its own."""
    opts = model_admin.model._meta

    def view(request: HttpRequest) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        return preview_view(request, model_admin)

    return [
        path("preview/", model_admin.admin_site.admin_view(view), name=f"{opts.app_label}_{opts.model_name}_preview")
    ]


def preview_view(request: HttpRequest, model_admin: ModelAdmin[ReminderPreference]) -> TemplateResponse:
    form = DigestPreviewForm(request.GET if "person" in request.GET else None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Preview someone's next reminder email",
        "form": form,
        **(_preview(form.cleaned_data["person"]) if form.is_valid() else {}),
    }
    return TemplateResponse(request, TEMPLATE, context)


def _preview(person: User) -> dict[str, Any]:
    digest = next_digest(person, now=timezone.now())
    days = digest_days_of(person.pk)
    shown = {"person": person, "digest": digest, "digest_days": [name for day, name in WEEKDAYS if day in days]}
    if not digest.sections:
        return shown
    message = render_digest(digest)
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    return {**shown, "subject": message.subject, "text_body": message.body, "html_body": html}

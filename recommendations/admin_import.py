"""The admin's report import: paste or upload a report, see what it holds, then confirm to import it.

The same parser and import service as `manage.py import_report`. The text travels from the preview to the
confirmation in a hidden field and is parsed again on confirmation, so nothing from the preview is trusted. A
report with parser warnings is imported only with the box under them ticked.
"""

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from accounts.requests import signed_in_user
from inspections.models import Inspection, InspectionType, Rating
from inspections.parsing import ReportFormatError
from recommendations.importing import (
    MAX_REPORT_BYTES,
    PublicationDateMissing,
    ReportPreview,
    WarningsNotConfirmed,
    import_report,
    preview_report,
    read_report_text,
)
from recommendations.models import Addressee

TEMPLATE = "admin/inspections/inspection/import.html"
TEXT_FILE_SUFFIXES = (".txt", ".text")
TEXT_CONTENT_TYPES = ("text/plain", "application/octet-stream")
LIMIT_TEXT = f"{MAX_REPORT_BYTES / 1_000_000:g} MB"


class ReportImportForm(forms.Form):
    """Step 1: the report as pasted text or as a file, with what the text itself does not say."""

    text = forms.CharField(
        label="Report text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100, "class": "vLargeTextField"}),
        help_text="Paste the whole report as text, from its title to its footnotes.",
    )
    file = forms.FileField(
        label="Or a text file",
        required=False,
        help_text=f"A .txt file saved as UTF-8, of at most {LIMIT_TEXT}.",
    )
    source_url = forms.URLField(label="Source URL", required=False, max_length=500, assume_scheme="https")
    published_on = forms.DateField(
        label="Publication date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave it empty if the report states it; if it does not, the preview asks for it.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > MAX_REPORT_BYTES:
            raise ValidationError(f"The file is {upload.size / 1_000_000:.1f} MB; the limit is {LIMIT_TEXT}.")
        if Path(upload.name).suffix.lower() not in TEXT_FILE_SUFFIXES or not (
            upload.content_type.startswith("text/") or upload.content_type in TEXT_CONTENT_TYPES
        ):
            raise ValidationError("Upload the report as a plain text file (.txt).")
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text, upload = cleaned.get("text", ""), cleaned.get("file")
        if self.errors:
            return cleaned
        if bool(text.strip()) == bool(upload):
            raise ValidationError("Paste the report's text or upload its file: one of the two.")
        try:
            cleaned["report_text"] = read_report_text(upload.read() if upload else text)
        except ReportFormatError as error:
            raise ValidationError(str(error)) from None
        return cleaned


class ConfirmImportForm(forms.Form):
    """Step 2: what was previewed, sent back as it was, and the publication date if the report does not state it."""

    report_text = forms.CharField(strip=False, widget=forms.Textarea(attrs={"hidden": True}))
    source_url = forms.URLField(required=False, max_length=500, widget=forms.HiddenInput, assume_scheme="https")
    # The reference's year is the publication date's: the import service refuses a report without one.
    published_on = forms.DateField(
        label="Publication date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The report does not say when it was published. Its reference takes the year of this date.",
    )
    # Shown only under a preview's warnings; the import service refuses a report with warnings without it.
    confirm_warnings = forms.BooleanField(
        required=False, label="I have checked the warnings above: import the report as it was read"
    )

    def __init__(self, *args: Any, ask_date: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ask_for_date(ask_date)

    def ask_for_date(self, ask: bool) -> None:
        """Show the date to be filled in (the report does not state it); else it is sent back hidden."""
        self.ask_date = ask
        self.fields["published_on"].required = ask


def import_urls(model_admin: ModelAdmin[Inspection]) -> list[URLPattern]:
    """The import page's URL, for InspectionAdmin.get_urls() to put before its own."""
    opts = model_admin.model._meta

    def view(request: HttpRequest) -> HttpResponse:
        return import_report_view(request, model_admin)

    return [path("import/", model_admin.admin_site.admin_view(view), name=f"{opts.app_label}_{opts.model_name}_import")]


def import_report_view(request: HttpRequest, model_admin: ModelAdmin[Inspection]) -> HttpResponse:
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, model_admin)
    form = ReportImportForm(request.POST or None, request.FILES or None)
    if not form.is_bound or not form.is_valid():
        return _render(request, model_admin, form)
    try:
        preview = preview_report(text=form.cleaned_data["report_text"], published_on=form.cleaned_data["published_on"])
    except ReportFormatError as error:
        form.add_error(None, str(error))
        return _render(request, model_admin, form)
    confirm_form = ConfirmImportForm(
        initial={
            "report_text": preview.source_text,
            "source_url": form.cleaned_data["source_url"],
            "published_on": preview.published_on,
        },
        ask_date=preview.published_on is None,
    )
    return _render(request, model_admin, form, preview=preview, confirm_form=confirm_form)


def _confirm(request: HttpRequest, model_admin: ModelAdmin[Inspection]) -> HttpResponse:
    # The date is checked by the import service, which knows whether the report states one.
    confirm_form = ConfirmImportForm(request.POST)
    if not confirm_form.is_valid():
        return _not_confirmed(request, model_admin, confirm_form)
    data = confirm_form.cleaned_data
    try:
        result = import_report(
            text=data["report_text"],
            source_url=data["source_url"],
            published_on=data["published_on"],
            user=signed_in_user(request),
            confirm_warnings=data["confirm_warnings"],
        )
    except PublicationDateMissing:
        confirm_form.add_error("published_on", "Enter the date the report was published.")
        return _preview_again(request, model_admin, confirm_form)
    except WarningsNotConfirmed:
        confirm_form.add_error(
            "confirm_warnings",
            "Tick the box to confirm that you have checked the warnings, or correct the report and start again.",
        )
        return _preview_again(request, model_admin, confirm_form)
    except ReportFormatError as error:
        form = ReportImportForm(data={"text": data["report_text"], "source_url": data["source_url"]})
        form.is_valid()
        form.add_error(None, str(error))
        return _render(request, model_admin, form)
    url = _change_url(model_admin, result.inspection)
    if result.created:
        messages.success(request, f"Imported {result.inspection.reference}: {result.counts.describe()}.")
    else:
        messages.warning(request, _already_imported(result.inspection, url))
    return HttpResponseRedirect(url)


def _preview_again(
    request: HttpRequest, model_admin: ModelAdmin[Inspection], confirm_form: ConfirmImportForm
) -> HttpResponse:
    """The same preview with the confirmation's errors; the date field shown if the report does not state it."""
    data = confirm_form.cleaned_data
    preview = preview_report(text=data["report_text"], published_on=data.get("published_on"))
    confirm_form.ask_for_date(preview.report.published_on is None or "published_on" in confirm_form.errors)
    return _render(request, model_admin, ReportImportForm(), preview=preview, confirm_form=confirm_form)


def _not_confirmed(
    request: HttpRequest, model_admin: ModelAdmin[Inspection], confirm_form: ConfirmImportForm
) -> HttpResponse:
    """A date that is not a real date: the same preview again, asking for it; anything else: start again."""
    if set(confirm_form.errors) == {"published_on"}:
        try:
            return _preview_again(request, model_admin, confirm_form)
        except ReportFormatError:
            pass
    form = ReportImportForm(data={"text": request.POST.get("report_text", "")})
    form.is_valid()
    form.add_error(None, "The report could not be confirmed: preview it again.")
    return _render(request, model_admin, form)


def _change_url(model_admin: ModelAdmin[Inspection], inspection: Inspection) -> str:
    opts = model_admin.model._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_change",
        args=[inspection.pk],
        current_app=model_admin.admin_site.name,
    )


def _already_imported(inspection: Inspection, url: str) -> str:
    return format_html(
        'This report was already imported as <a href="{}">{}</a>; nothing was changed.', url, inspection.reference
    )


def _render(
    request: HttpRequest,
    model_admin: ModelAdmin[Inspection],
    form: ReportImportForm,
    *,
    preview: ReportPreview | None = None,
    confirm_form: ConfirmImportForm | None = None,
) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import an inspection report",
        "form": form,
        "confirm_form": confirm_form,
        "limit": LIMIT_TEXT,
        **(_preview_context(model_admin, preview) if preview else {}),
    }
    return TemplateResponse(request, TEMPLATE, context)


def _preview_context(model_admin: ModelAdmin[Inspection], preview: ReportPreview) -> dict[str, Any]:
    report = preview.report
    groups: dict[str, list[tuple[Any, tuple[str, ...]]]] = {}
    for item, themes in zip(report.recommendations, preview.themes, strict=True):
        groups.setdefault(_addressee_name(preview, item.addressee, item.addressee_label), []).append((item, themes))
    return {
        "preview": preview,
        "report": report,
        "type_label": InspectionType(report.inspection_type).label,
        "overall_rating_label": Rating(report.overall_rating).label if report.overall_rating else "",
        "recommendation_groups": list(groups.items()),
        "ratings": [(rating.domain, Rating(rating.rating).label) for rating in report.ratings],
        "existing_message": (
            _already_imported(preview.existing, _change_url(model_admin, preview.existing)) if preview.existing else ""
        ),
    }


def _addressee_name(preview: ReportPreview, addressee: str, label: str) -> str:
    if addressee == Addressee.REGION and preview.region:
        return f"{preview.region.name} region"
    if addressee == Addressee.PDU and preview.pdu:
        return f"{preview.pdu.name} PDU"
    return label if addressee == Addressee.OTHER else Addressee(addressee).label

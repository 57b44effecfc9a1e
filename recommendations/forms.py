"""Forms for the recommendation page. They validate only: every change is made by recommendations/services.py.

Each form has a prefix, so that the page can hold several forms whose fields share a name (`reason`) and the
error summary can link to the right field (`#id_<prefix>-<field>`).
"""

import datetime
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator

from accounts.models import User
from core.forms import GovUKDateField
from inspections.models import Inspection, Region
from recommendations import filter_options, permissions
from recommendations.changes import KINDS
from recommendations.filters import DATE_INPUT_FORMATS, inspection_label
from recommendations.models import (
    ActionPlanItem,
    FollowUpKind,
    Judgement,
    Progress,
    Recommendation,
    Response,
    RoundScope,
    target_date_refusal,
)
from recommendations.services import WORKFLOW_ACTIONS

# Workflow steps that are a decision someone must be able to read the reason for later.
ACTIONS_NEEDING_REASON = ("decline_closure", "close_not_implemented", "supersede", "reopen")


def _required_reason(cleaned: dict[str, Any], form: forms.Form, field: str, message: str) -> None:
    if not (cleaned.get(field) or "").strip():
        form.add_error(field, message)


# --- the addressee's forms ---


class ResponseForm(forms.Form):
    prefix = "response"
    response = forms.ChoiceField(
        choices=[(value, label) for value, label in Response.choices if value != Response.AWAITING],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose agreed, partly agreed or not agreed."},
    )
    reason = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("response") in (Response.PARTLY_AGREED, Response.NOT_AGREED):
            _required_reason(cleaned, self, "reason", "Say why the recommendation is only partly agreed or not agreed.")
        return cleaned


MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# What the content of each allowed kind of file must start with. Office documents are zip files (checked further).
EVIDENCE_SIGNATURES: dict[str, bytes | None] = {
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
    "docx": b"PK\x03\x04",
    "xlsx": b"PK\x03\x04",
    "odt": b"PK\x03\x04",
    "ods": b"PK\x03\x04",
    "csv": None,  # text: checked by decoding
    "txt": None,
}
ALLOWED_EVIDENCE = "PDF, DOCX, XLSX, ODT, ODS, PNG, JPG, CSV or TXT"
# The member that marks a zip file as this kind of document.
OFFICE_MARKERS: dict[str, tuple[str, bytes | None]] = {
    "docx": ("word/document.xml", None),
    "xlsx": ("xl/workbook.xml", None),
    "odt": ("mimetype", b"application/vnd.oasis.opendocument.text"),
    "ods": ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
}


# Office documents are zip files, and a small zip can unpack to gigabytes (a "zip bomb"). Before anything is unpacked
# its central directory (the list of members and their sizes) is checked against these bounds; then only the first
# bytes of the one member that marks the kind are read. None is near what a real document needs.
MAX_ARCHIVE_DIRECTORY_BYTES = 256 * 1024  # listing the members costs memory of its own: about 500 bytes each
MAX_ARCHIVE_MEMBERS = 1000
MAX_ARCHIVE_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # unpacked : packed, of the whole file and of any member that unpacks to over 1 MB
RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # small members (an empty file, a short marker) may pack far better than 100:1
# The end of central directory record (PKWARE's APPNOTE.TXT 4.3.16): signature, two disk numbers, members on this
# disk, members in all, directory size, directory offset, comment length. It is in the last 22 bytes, or before a
# comment of at most 64 KB.
END_RECORD = struct.Struct("<4s4H2LH")
END_RECORD_SIGNATURE = b"PK\x05\x06"


class ArchiveTooLarge(Exception):
    """The zip file would unpack to more than the bounds allow."""


def validate_evidence_file(upload: UploadedFile[bytes]) -> None:
    """Refuse files that are too big, of a kind we do not accept, or whose content is not what their name says."""
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    if extension not in EVIDENCE_SIGNATURES:
        raise forms.ValidationError(f"The selected file must be a {ALLOWED_EVIDENCE}.", code="file_type")
    if upload.size is not None and upload.size > MAX_EVIDENCE_BYTES:
        raise forms.ValidationError("The file must be smaller than 10 MB.", code="file_size")
    if upload.size == 0:
        raise forms.ValidationError("The selected file is empty.", code="file_empty")
    try:
        matches = _content_matches(upload, extension)
    except ArchiveTooLarge:
        raise forms.ValidationError(
            f"The selected {extension.upper()} file is too large when unpacked. "
            "Save it as a PDF and upload that instead.",
            code="file_unpacked_size",
        ) from None
    if not matches:
        raise forms.ValidationError(
            f"The file's content is not a {extension.upper()} file. Check you chose the right file.",
            code="file_content",
        )


def _content_matches(upload: UploadedFile[bytes], extension: str) -> bool:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    signature = EVIDENCE_SIGNATURES[extension]
    if signature is None:
        return b"\x00" not in head and _decodes(head)
    if not head.startswith(signature):
        return False
    return extension not in OFFICE_MARKERS or _office_marker_present(upload, extension)


def _decodes(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        return error.start >= len(head) - 3
    return True


def _office_marker_present(upload: UploadedFile[bytes], extension: str) -> bool:
    """Whether the zip holds the member that marks this kind of document. Raises ArchiveTooLarge for a zip bomb."""
    member, expected = OFFICE_MARKERS[extension]
    try:
        if _directory_size(upload) > MAX_ARCHIVE_DIRECTORY_BYTES:
            raise ArchiveTooLarge
        with zipfile.ZipFile(upload) as archive:
            _check_unpacked_size(archive.infolist(), upload.size)
            info = archive.getinfo(member)  # KeyError when it is missing
            if expected is None:
                return True
            with archive.open(info) as marker:  # reads at most what is asked for, whatever the member claims
                return marker.read(len(expected) + 16).strip() == expected
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error):
        # Not a zip, a damaged one, or an encrypted or oddly compressed member: not the document it says it is.
        return False
    finally:
        upload.seek(0)


def _directory_size(upload: UploadedFile[bytes]) -> int:
    """The central directory's size, from the end record, read before zipfile lists (and holds) every member."""
    size = upload.size or 0
    tail_size = min(size, END_RECORD.size + 0xFFFF)
    upload.seek(size - tail_size)
    tail = upload.read(tail_size)
    at = len(tail) - END_RECORD.size
    if not tail[at:].startswith(END_RECORD_SIGNATURE):
        at = tail.rfind(END_RECORD_SIGNATURE)  # the record is followed by a comment
    if at < 0 or at + END_RECORD.size > len(tail):
        raise zipfile.BadZipFile("no end of central directory record")
    directory_size: int = END_RECORD.unpack_from(tail, at)[5]
    if directory_size > size:
        raise zipfile.BadZipFile("a central directory larger than the file")
    return directory_size


def _check_unpacked_size(members: list[zipfile.ZipInfo], packed_size: int | None) -> None:
    """Refuse too many members, too much unpacked in all, or a compression ratio no document reaches."""
    unpacked = sum(info.file_size for info in members)
    if len(members) > MAX_ARCHIVE_MEMBERS or unpacked > MAX_ARCHIVE_UNPACKED_BYTES:
        raise ArchiveTooLarge
    if unpacked > RATIO_CHECKED_FROM_BYTES and unpacked > MAX_COMPRESSION_RATIO * (packed_size or 1):
        raise ArchiveTooLarge
    for info in members:
        if info.file_size > RATIO_CHECKED_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * info.compress_size:
            raise ArchiveTooLarge


class ProgressUpdateForm(forms.Form):
    prefix = "progress"
    progress = forms.ChoiceField(
        choices=Progress.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how far implementation has got."},
    )
    text = forms.CharField(
        widget=forms.Textarea, max_length=10000, error_messages={"required": "Describe the progress made."}
    )
    evidence_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Enter a link in the correct format, like https://www.example.com/report.pdf"},
    )
    evidence_file = forms.FileField(
        required=False,
        validators=[validate_evidence_file],
        error_messages={"empty": "The selected file is empty.", "invalid": "The selected file could not be read."},
    )


class ActionPlanItemForm(forms.Form):
    prefix = "action"
    description = forms.CharField(
        widget=forms.Textarea, max_length=5000, error_messages={"required": "Describe the action."}
    )
    responsible = forms.CharField(required=False, max_length=200)
    target_date = GovUKDateField(required=False, label="Target date")


class ActionCompleteForm(forms.Form):
    prefix = "complete"
    completed_on = GovUKDateField(required=False, label="Date completed")

    def __init__(self, *args: Any, item: ActionPlanItem, **kwargs: Any) -> None:
        self.item = item
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.item.completed_on:
            raise forms.ValidationError(f"This action was already done on {self.item.completed_on:%-d %B %Y}.")
        return cleaned

    def clean_completed_on(self) -> datetime.date | None:
        completed_on = self.cleaned_data.get("completed_on")
        if completed_on and completed_on > timezone.localdate():
            raise forms.ValidationError("The date an action was completed must be today or in the past.")
        return completed_on


class TargetDateRequestForm(forms.Form):
    prefix = "date_request"
    proposed_date = GovUKDateField(label="Proposed target date")
    reason = forms.CharField(
        widget=forms.Textarea, max_length=5000, error_messages={"required": "Say why the target date should move."}
    )

    def clean_proposed_date(self) -> datetime.date:
        proposed: datetime.date = self.cleaned_data["proposed_date"]
        if proposed < timezone.localdate():
            raise forms.ValidationError("The proposed date must be today or in the future.")
        return proposed


# --- the Inspectorate's forms ---


class TargetDateDecisionForm(forms.Form):
    prefix = "date_decision"
    decision = forms.ChoiceField(
        choices=[("approve", "Approve: move the target date"), ("reject", "Reject: keep the target date")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or reject the request."},
    )
    note = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == "reject":
            _required_reason(cleaned, self, "note", "Say why the request is rejected.")
        return cleaned


class FollowUpForm(forms.Form):
    prefix = "follow_up"
    kind = forms.ChoiceField(
        choices=FollowUpKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of follow-up activity."},
    )
    activity_date = GovUKDateField(label="Date of the activity")
    notes = forms.CharField(widget=forms.Textarea, required=False, max_length=10000)
    outcome = forms.CharField(widget=forms.Textarea, required=False, max_length=10000)


class JudgementForm(forms.Form):
    prefix = "judgement"
    judgement = forms.ChoiceField(
        choices=[(value, label) for value, label in Judgement.choices if value != Judgement.NOT_ASSESSED],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a judgement of progress."},
    )
    reason = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)


class WorkflowForm(forms.Form):
    """One workflow step. Every step is a valid choice here: who may take which is decided by the services."""

    prefix = "workflow"
    action = forms.ChoiceField(
        choices=list(WORKFLOW_ACTIONS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what to do.", "invalid_choice": "Choose what to do."},
    )
    reason = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)
    superseded_by = forms.CharField(required=False, widget=forms.Select)

    def __init__(self, *args: Any, recommendation: Recommendation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offered: list[str] = list(WORKFLOW_ACTIONS)  # every step until `offer` says which
        self.candidates = supersede_candidates(recommendation)
        # Lazy: the options are read only when the field is shown (never for people who cannot supersede).
        options = CallableChoiceIterator(lambda: [("", "Choose a recommendation"), *self._options])
        self.fields["superseded_by"].widget.choices = options

    def offer(self, steps: list[str]) -> None:
        """Offer only these steps (those the person can take now). One step is not a choice: GOV.UK has no
        one-option radios, so it is sent as a hidden value and the page confirms it (see `only_step`)."""
        self.offered = steps
        action = cast(forms.ChoiceField, self.fields["action"])
        action.choices = [(name, WORKFLOW_ACTIONS[name]) for name in steps]
        if len(steps) == 1:
            action.widget = forms.HiddenInput()
            action.initial = steps[0]
        if "supersede" not in steps:  # the list of recommendations only to who can supersede
            self.fields.pop("superseded_by", None)

    @property
    def only_step(self) -> "OnlyStep | None":
        """The one step offered, when there is only one: the page is then its confirmation."""
        if len(self.offered) != 1:
            return None
        name = self.offered[0]
        return OnlyStep(name, WORKFLOW_ACTIONS[name], needs_reason=name in ACTIONS_NEEDING_REASON)

    @cached_property
    def _options(self) -> list[tuple[int, str]]:
        return [(other.pk, f"{other.reference}: {other.text[:90]}") for other in self.candidates[:SUPERSEDE_OPTIONS]]

    def clean_superseded_by(self) -> Recommendation | None:
        value = self.cleaned_data.get("superseded_by")
        if not value:
            return None
        found = self.candidates.filter(pk=value).first() if str(value).isdigit() else None
        if found is None:
            raise forms.ValidationError("Choose a recommendation from the list.")
        return found

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        action = cleaned.get("action")
        if action in ACTIONS_NEEDING_REASON:
            _required_reason(cleaned, self, "reason", "Give a reason for this decision.")
        if action == "supersede" and not cleaned.get("superseded_by") and "superseded_by" not in self.errors:
            self.add_error("superseded_by", "Choose the recommendation that supersedes this one.")
        return cleaned


@dataclass(frozen=True)
class OnlyStep:
    """The single workflow step a person can take, confirmed rather than chosen."""

    name: str
    label: str  # the button's words, as WORKFLOW_ACTIONS names the step
    needs_reason: bool


class OwnerField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return _owner_label(obj)


class OwnerForm(forms.Form):
    prefix = "owner"
    owner = OwnerField(queryset=None, required=False, empty_label="Nobody", widget=forms.Select)
    target_date = GovUKDateField(required=False, label="Target date")
    reason = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)

    def __init__(self, *args: Any, recommendation: Recommendation, **kwargs: Any) -> None:
        self.recommendation = recommendation
        kwargs.setdefault("initial", {"owner": recommendation.owner_id, "target_date": recommendation.target_date})
        super().__init__(*args, **kwargs)
        owners = permissions.eligible_owners(recommendation).select_related("region")
        cast(OwnerField, self.fields["owner"]).queryset = owners  # self.fields: this form's copies, typed as Field

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if "target_date" in cleaned:  # a date typed wrongly has its own error
            current = self.recommendation.target_date
            if refusal := target_date_refusal(current, cleaned["target_date"], cleaned.get("reason") or ""):
                self.add_error("reason", refusal)
        if not self.errors and not (self.owner_changed or self.target_date_changed):
            raise forms.ValidationError("Change the owner or the target date, or leave them as they are.")
        return cleaned

    @property
    def owner_changed(self) -> bool:
        owner = self.cleaned_data.get("owner")
        return (owner.pk if owner else None) != self.recommendation.owner_id

    @property
    def target_date_changed(self) -> bool:
        return self.cleaned_data.get("target_date") != self.recommendation.target_date


def _owner_label(user: User) -> str:
    where = f", {user.region.name}" if user.region is not None else ""
    return f"{user} ({user.get_role_display()}{where})"


SUPERSEDE_OPTIONS = 100  # newest first; a repeated recommendation comes from a later report


def supersede_candidates(recommendation: Recommendation) -> QuerySet[Recommendation]:
    """Recommendations the same people answer for (the same region, or national) that could supersede this one."""
    others = Recommendation.objects.exclude(pk=recommendation.pk).select_related("inspection")
    others = others.filter(permissions.answered_alike(recommendation))
    return others.order_by(F("inspection__published_on").desc(nulls_last=True), "-pk")


class RepeatDecisionForm(forms.Form):
    """A likely repeat confirmed or dismissed, with the buttons beside each suggestion on the pages."""

    decision = forms.ChoiceField(choices=[("confirm", "Confirm: a repeat"), ("dismiss", "Dismiss: not a repeat")])
    # The recommendation page it was decided on, to go back to; without it, Recurring recommendations.
    shown_on = forms.IntegerField(required=False, min_value=1)


class ChangesForm(forms.Form):
    """What's changed's filters. The region and report offered (and accepted) are those in the person's scope:
    filter_options.py's queries, one each; a report chosen from a link but not among the newest is looked up."""

    # Typed as the list's date filters are (31/3/2026): one box in the filter panel, which the page shows on every
    # view (three boxes cost the page about 5 ms of CPU; bench/).
    since = forms.DateField(
        label="Changes since",
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": "Changes since must be a real date, like 31/3/2026"},
    )
    region = forms.TypedChoiceField(label="Region", coerce=int, empty_value=None, required=False)
    inspection = forms.TypedChoiceField(label="Report", coerce=int, empty_value=None, required=False)
    kind = forms.MultipleChoiceField(
        label="Kind of change", choices=KINDS, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, data: Any, *, user: User) -> None:
        super().__init__(data)
        regions = filter_options.regions_and_themes(user)[filter_options.REGION]
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", "All regions"), *regions]
        cast(forms.ChoiceField, self.fields["inspection"]).choices = self._reports(user)

    def _reports(self, user: User) -> list[tuple[Any, str]]:
        region = self.data.get("region", "")
        newest = filter_options.newest_inspections(user, int(region) if region.isdigit() else None)
        offered = [(pk, inspection_label(reference, title)) for pk, reference, title in newest]
        chosen = self.data.get("inspection", "")
        if chosen.isdigit() and int(chosen) not in {pk for pk, _ in offered}:
            scope = permissions.visible_recommendations(user).filter(inspection=OuterRef("pk"))
            found = Inspection.objects.filter(Exists(scope), pk=int(chosen)).values_list("pk", "reference", "title")
            offered[:0] = [(pk, inspection_label(reference, title)) for pk, reference, title in found]
        return [("", "All reports"), *offered]

    def clean_since(self) -> datetime.date | None:
        since: datetime.date | None = self.cleaned_data.get("since")
        if since is not None and since > timezone.localdate():
            raise forms.ValidationError("Changes since must be today or in the past")
        return since


# --- update rounds (recommendations/rounds.py) ---

NO_CHANGE_TEXT = "No change since the last update."


class RoundItemForm(ProgressUpdateForm):
    """One recommendation on "Update your recommendations": a progress update with its checks (ProgressUpdateForm),
    or "no change since last time". An item left as it was shown is not returned (`is_blank`), not an error."""

    progress = forms.ChoiceField(choices=Progress.choices, widget=forms.RadioSelect, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)
    no_change = forms.BooleanField(required=False)

    def __init__(self, *args: Any, recommendation: Recommendation, **kwargs: Any) -> None:
        self.recommendation = recommendation
        kwargs.setdefault("initial", {"progress": recommendation.progress})
        kwargs["prefix"] = f"item-{recommendation.pk}"
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("no_change"):  # what they wrote as well, if anything, is kept
            cleaned["progress"] = self.recommendation.progress
            cleaned["text"] = (cleaned.get("text") or "").strip() or NO_CHANGE_TEXT
        elif not self.is_blank:
            if not cleaned.get("progress") and "progress" not in self.errors:
                self.add_error("progress", "Choose how far implementation has got.")
            if not (cleaned.get("text") or "").strip() and "text" not in self.errors:
                self.add_error("text", "Describe the progress made, or tick 'No change since the last update'.")
        return cleaned

    @property
    def is_blank(self) -> bool:
        """Nothing said about this item: its progress as it stands, no update, no evidence, no "no change"."""
        data = self.cleaned_data
        unchanged = data.get("progress") in ("", None, self.recommendation.progress)
        said = (data.get("text") or "").strip() or data.get("evidence_url") or data.get("evidence_file")
        return unchanged and not said and not data.get("no_change") and not self.errors

    def update(self) -> dict[str, Any]:
        """What the progress update service takes, once valid."""
        data = self.cleaned_data
        keys = ("progress", "text", "evidence_url", "evidence_file")
        return {key: data.get(key) or ("" if key != "evidence_file" else None) for key in keys}


class OpenRoundForm(forms.Form):
    prefix = "round"
    name = forms.CharField(max_length=120, error_messages={"required": "Enter a name for the round."})
    due_date = GovUKDateField(label="Due date")
    scope = forms.ChoiceField(
        choices=RoundScope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which recommendations the round covers."},
    )
    regions = forms.ModelMultipleChoiceField(
        queryset=Region.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean_due_date(self) -> datetime.date:
        due: datetime.date = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError("The due date must be today or in the future.")
        return due

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("scope") == RoundScope.REGIONS and not cleaned.get("regions"):
            self.add_error("regions", "Choose at least one region.")
        if cleaned.get("scope") != RoundScope.REGIONS:
            cleaned["regions"] = []
        return cleaned

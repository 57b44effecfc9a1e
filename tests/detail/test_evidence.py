"""Progress updates with evidence: links, uploads checked for size, type and content, and files served only in scope."""

import functools
import io
import random
import tracemalloc
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import Client

from accounts.models import User
from recommendations.forms import MAX_EVIDENCE_BYTES, validate_evidence_file
from recommendations.models import ProgressUpdate, Recommendation
from tests.detail.conftest import client_for, latest_history, post, snapshot, url

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
ODS = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"})


def update(user: User, recommendation: Recommendation, **extra: object) -> Any:
    data = {"progress-progress": "in_progress", "progress-text": "Training has started.", **extra}
    return post(user, "add_progress_update", recommendation, data, follow=True)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plan.pdf", PDF),
        ("chart.png", PNG),
        ("photo.jpg", JPG),
        ("plan.docx", DOCX),
        ("figures.xlsx", XLSX),
        ("plan.odt", ODT),
        ("figures.ods", ODS),
        ("figures.csv", "team,trained\nA,12\nB,£9\n".encode()),
        ("notes.txt", b"Plain notes"),
    ],
)
def test_good_files_are_kept_and_served_to_people_in_scope(staff, lead, recommendation, name, content) -> None:
    response = update(lead, recommendation, **{"progress-evidence_file": SimpleUploadedFile(name, content)})
    page = response.content.decode()
    assert "Progress update added" in page
    progress_update = ProgressUpdate.objects.get()
    assert (progress_update.author, progress_update.progress) == (lead, "in_progress")
    download = url("evidence_file", recommendation, progress_update.pk)
    assert f'href="{download}"' in page
    for person in (lead, staff):
        served = client_for(person).get(download)
        assert served.status_code == 200
        assert served["Content-Disposition"].startswith("attachment")
        assert name.rsplit(".", 1)[0] in served["Content-Disposition"]
        assert isinstance(served, StreamingHttpResponse)  # a FileResponse
        assert b"".join(served.streaming_content) == content


def test_progress_change_is_kept_in_history(lead, recommendation) -> None:
    update(lead, recommendation, **{"progress-evidence_url": "https://example.org/plan"})
    row = latest_history(recommendation)
    assert (row.progress, row.history_user, row.history_change_reason) == ("in_progress", lead, "Progress: In progress")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("tool.exe", b"MZ\x90\x00", "The selected file must be a PDF, DOCX, XLSX, ODT, ODS, PNG, JPG, CSV or TXT."),
        ("noextension", b"hello", "The selected file must be a"),
        ("report.pdf", PNG, "content is not a PDF file"),
        ("photo.png", PDF, "content is not a PNG file"),
        ("photo.jpg", PDF, "content is not a JPG file"),
        ("plan.docx", XLSX, "content is not a DOCX file"),
        ("plan.docx", b"PK\x03\x04 not really a zip", "content is not a DOCX file"),
        ("figures.xlsx", DOCX, "content is not a XLSX file"),
        ("plan.odt", ODS, "content is not a ODT file"),
        ("notes.txt", b"\x00\x01binary\xff", "content is not a TXT file"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_bad_files_are_refused(lead, recommendation, name, content, says) -> None:
    before = snapshot(recommendation)
    response = update(lead, recommendation, **{"progress-evidence_file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_progress-evidence_file"' in page
    assert says in page
    assert snapshot(recommendation) == before


def test_file_over_10_mb_is_refused(lead, recommendation, media_root) -> None:
    before = snapshot(recommendation)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_EVIDENCE_BYTES)
    response = update(lead, recommendation, **{"progress-evidence_file": big})
    assert response.status_code == 400
    assert "The file must be smaller than 10 MB." in response.content.decode()
    assert snapshot(recommendation) == before
    assert not any(media_root.rglob("*.pdf")) if media_root.exists() else True


def test_link_as_evidence(lead, recommendation) -> None:
    response = update(lead, recommendation, **{"progress-evidence_url": "https://sharepoint.example.org/plan"})
    assert 'href="https://sharepoint.example.org/plan"' in response.content.decode()
    assert ProgressUpdate.objects.get().evidence_url == "https://sharepoint.example.org/plan"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "not a link"])
def test_bad_link_is_refused(lead, recommendation, link) -> None:
    before = snapshot(recommendation)
    response = update(lead, recommendation, **{"progress-evidence_url": link})
    assert response.status_code == 400
    assert 'href="#id_progress-evidence_url"' in response.content.decode()
    assert snapshot(recommendation) == before


def test_update_needs_text_and_progress(lead, recommendation) -> None:
    response = post(lead, "add_progress_update", recommendation, {})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_progress-progress_0"' in page
    assert 'href="#id_progress-text"' in page
    assert not ProgressUpdate.objects.exists()


def test_evidence_is_never_public(staff, lead, other_lead, hmpps_lead, recommendation) -> None:
    update(lead, recommendation, **{"progress-evidence_file": SimpleUploadedFile("plan.pdf", PDF)})
    progress_update = ProgressUpdate.objects.get()
    download = url("evidence_file", recommendation, progress_update.pk)
    assert client_for(other_lead).get(download).status_code == 404
    assert client_for(hmpps_lead).get(download).status_code == 404
    anonymous = Client().get(download)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]
    # Nothing serves MEDIA_ROOT directly.
    assert Client().get(f"/media/{progress_update.evidence_file.name}").status_code == 404
    assert client_for(staff).get(f"/media/{progress_update.evidence_file.name}").status_code == 404


def test_update_without_file_has_no_download(staff, lead, recommendation) -> None:
    update(lead, recommendation)
    progress_update = ProgressUpdate.objects.get()
    assert client_for(staff).get(url("evidence_file", recommendation, progress_update.pk)).status_code == 404


def test_file_of_another_recommendation_is_not_served_through_this_one(lead, recommendation) -> None:
    from tests.factories import make_recommendation

    other = make_recommendation(recommendation.inspection)
    update(lead, other, **{"progress-evidence_file": SimpleUploadedFile("plan.pdf", PDF)})
    progress_update = ProgressUpdate.objects.get()
    assert client_for(lead).get(url("evidence_file", recommendation, progress_update.pk)).status_code == 404


def test_lead_of_another_region_cannot_add_an_update(other_lead, recommendation) -> None:
    before = snapshot(recommendation)
    response = update(other_lead, recommendation, **{"progress-evidence_file": SimpleUploadedFile("plan.pdf", PDF)})
    assert response.status_code == 404
    assert snapshot(recommendation) == before


# --- office documents are zip files: a small one can unpack to gigabytes (a "zip bomb") ---


@functools.cache
def zip_bomb(extension: str, unpacked_mb: int = 100) -> bytes:
    """A real zip bomb of this kind: `unpacked_mb` MB of zeros deflated to about 1/1000 of that. For ODT the bomb is
    the `mimetype` member the content check reads; for DOCX it is a member beside the document the check looks for."""
    marker, content = {
        "odt": ("mimetype", b"application/vnd.oasis.opendocument.text"),
        "docx": ("word/media/image1.png", b""),
    }[extension]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if extension == "docx":
            archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open(marker, "w") as member:
            member.write(content)
            zeros = bytes(1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(zeros)
    return buffer.getvalue()


def many_members(count: int) -> bytes:
    return zipped({"word/document.xml": b"<w:document/>", **{f"word/part{number}.xml": b"" for number in range(count)}})


UNPACKED_TOO_BIG = "is too large when unpacked. Save it as a PDF and upload that instead."


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("plan.odt", lambda: zip_bomb("odt")),
        ("plan.docx", lambda: zip_bomb("docx")),
        ("plan.docx", lambda: many_members(1_500)),  # more members than any real document
        ("plan.docx", lambda: many_members(8_000)),  # a central directory that costs memory just to list
    ],
    ids=["odt-bomb", "docx-bomb", "1500-members", "8000-members"],
)
def test_zip_bomb_is_refused_and_nothing_saved(lead, recommendation, media_root, name, make) -> None:
    content = make()  # built when the test runs, not when the tests are collected
    before = snapshot(recommendation)
    response = update(lead, recommendation, **{"progress-evidence_file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_progress-evidence_file"' in page
    assert f"The selected {name.rsplit('.', 1)[1].upper()} file {UNPACKED_TOO_BIG}" in page
    assert snapshot(recommendation) == before
    assert not media_root.exists() or not any(path.is_file() for path in media_root.rglob("*"))


@pytest.mark.parametrize("extension", ["odt", "docx"])
def test_zip_bomb_check_reads_a_bounded_amount(extension) -> None:
    """The 2 MB bomb of the issue took a worker from 93 MB to 4.3 GB; this one (100 MB of zeros, 0.1 MB zipped) must be
    refused while Python allocates no more than a small fixed amount."""
    upload = SimpleUploadedFile(f"plan.{extension}", zip_bomb(extension))
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as refusal:
            validate_evidence_file(upload)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refusal.value.code == "file_unpacked_size"
    assert peak < 2 * 1024 * 1024, f"validation allocated {peak / 1024 / 1024:.1f} MB"


def test_member_list_is_bounded_before_it_is_read() -> None:
    """Listing 8,000 members would cost Python tens of MB of objects: the directory's size is checked first."""
    upload = SimpleUploadedFile("plan.docx", many_members(8_000))
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError):
            validate_evidence_file(upload)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024, f"validation allocated {peak / 1024 / 1024:.1f} MB"


def test_document_unpacking_beyond_the_total_bound_is_refused(monkeypatch) -> None:
    """Below the ratio bound but over the total: a lower total (the rule, not the figure, is under test) refuses it."""
    content = "".join(f"<row n='{number}'>{number * 7919 % 104729}</row>" for number in range(60_000)).encode()
    document = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": content})
    validate_evidence_file(SimpleUploadedFile("figures.ods", document))  # a real 2 MB spreadsheet passes
    monkeypatch.setattr("recommendations.forms.MAX_ARCHIVE_UNPACKED_BYTES", len(content) // 2)
    with pytest.raises(ValidationError) as refusal:
        validate_evidence_file(SimpleUploadedFile("figures.ods", document))
    assert refusal.value.code == "file_unpacked_size"


@pytest.mark.parametrize(
    "content",
    [
        zipped({"mimetype": b"application/vnd.oasis.opendocument.text" + b"x" * 5000}),  # a marker that runs on
        b"PK\x03\x04" + b"\x00" * 100 + b"PK\x05\x06" + b"\xff" * 18,  # an end record that points nowhere
    ],
    ids=["long-marker", "broken-end-record"],
)
def test_odd_archives_are_refused_as_not_this_kind(lead, recommendation, content) -> None:
    before = snapshot(recommendation)
    response = update(lead, recommendation, **{"progress-evidence_file": SimpleUploadedFile("plan.odt", content)})
    assert response.status_code == 400
    assert "content is not a ODT file" in response.content.decode()
    assert snapshot(recommendation) == before


def test_document_over_the_in_memory_size_is_checked_from_its_temporary_file(lead, recommendation) -> None:
    """Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) reach the check as a temporary file, not in memory."""
    photo = random.Random(1).randbytes(3 * 1024 * 1024)  # a photo in the document: does not compress
    document = zipped({"word/document.xml": b"<w:document/>", "word/media/image1.jpeg": photo})
    response = update(lead, recommendation, **{"progress-evidence_file": SimpleUploadedFile("plan.docx", document)})
    assert "Progress update added" in response.content.decode()
    assert ProgressUpdate.objects.get().evidence_file.size == len(document)

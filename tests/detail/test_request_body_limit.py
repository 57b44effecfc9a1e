"""Request bodies over MAX_REQUEST_BODY_MB are refused (413) from their declared length, before anything reads them:
not parsed, not spooled to a temporary file, nothing saved."""

import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recommendations.models import ProgressUpdate
from tests.detail.conftest import client_for, snapshot, url
from tests.test_settings import load_settings

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MB = 1024 * 1024
# The live server answers from another thread, so its tests use a flushed database (pytest-django's live_server);
# the seeded rows (regions, themes, the policy) are put back after the flush for the tests that follow.
LIVE = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CSRF_SECRET = "a" * 32  # a well-formed CSRF cookie, so that the CSRF check goes on to read the posted form


@pytest.fixture
def upload_temp_dir(settings: Any, tmp_path: Path) -> Path:
    """Where Django spools an uploaded file above FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)."""
    settings.FILE_UPLOAD_TEMP_DIR = spool = tmp_path / "upload-temp"
    spool.mkdir()
    return spool


@pytest.mark.django_db
def test_upload_over_the_limit_gets_413_and_nothing_is_kept(lead, recommendation, media_root, upload_temp_dir) -> None:
    before = snapshot(recommendation)
    big = SimpleUploadedFile("plan.pdf", PDF + b"0" * (12 * MB))  # over the default 11 MB
    data = {"progress-progress": "in_progress", "progress-text": "Training has started.", "progress-evidence_file": big}
    response = client_for(lead).post(url("add_progress_update", recommendation), data)
    assert response.status_code == 413
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">The file you selected is too big</h1>' in page
    assert "Nothing you sent has been saved." in page
    # The site's own page, as for the person signed in, with the site's headers: not a bare error.
    assert 'class="govuk-template__header"' in page
    assert '<span class="app-account__name">Rhys Regional</span>' in page
    assert "nonce-" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert snapshot(recommendation) == before
    assert not ProgressUpdate.objects.exists()
    assert not media_root.exists() or not any(path.is_file() for path in media_root.rglob("*"))
    assert list(upload_temp_dir.iterdir()) == []


@pytest.mark.django_db
def test_upload_within_the_limit_still_reaches_the_form(lead, recommendation, settings) -> None:
    """The limit is a setting: a body under it gets the form's own answer (here: the 10 MB evidence rule)."""
    settings.MAX_REQUEST_BODY_MB = 13
    big = SimpleUploadedFile("plan.pdf", PDF + b"0" * (12 * MB))
    data = {"progress-progress": "in_progress", "progress-text": "Training has started.", "progress-evidence_file": big}
    response = client_for(lead).post(url("add_progress_update", recommendation), data)
    assert response.status_code == 400
    assert "The file must be smaller than 10 MB." in response.content.decode()


def raw_post(server_url: str, headers: dict[str, str], first_part: bytes) -> tuple[bytes, float]:
    """POST to the live server over a plain socket, send only `first_part` of the body, and wait for the answer
    (at most 10 s). A server that reads the body before answering waits for the rest, and the socket times out."""
    address = urlsplit(server_url)
    lines = [
        f"POST {address.path or '/'} HTTP/1.1",
        f"Host: {address.netloc}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    started = time.monotonic()
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + first_part)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer, time.monotonic() - started


def multipart_start(boundary: str) -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="progress-evidence_file"; filename="plan.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + b"0" * (64 * 1024)
    )


@LIVE
def test_server_answers_413_before_reading_a_200_mb_body(live_server: Any) -> None:
    """Only 64 KB of a declared 200 MB is ever sent: the answer comes at once, so the body was not read."""
    headers = {
        "Content-Type": "multipart/form-data; boundary=b0undary",
        "Content-Length": str(200 * MB),
        "Cookie": f"csrftoken={CSRF_SECRET}",
    }
    answer, seconds = raw_post(f"{live_server.url}/recommendations/1/progress/", headers, multipart_start("b0undary"))
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert seconds < 5


@LIVE
def test_chunked_body_without_a_length_is_never_read(live_server: Any) -> None:
    """A WSGI application reads at most Content-Length bytes: a chunked body of unknown length is not read at all,
    so it cannot fill the disk either (the form sees no fields). The proxy bounds it too (README)."""
    headers = {
        "Content-Type": "multipart/form-data; boundary=b0undary",
        "Transfer-Encoding": "chunked",
        "Cookie": f"csrftoken={CSRF_SECRET}",
    }
    first = multipart_start("b0undary")
    answer, seconds = raw_post(
        f"{live_server.url}/recommendations/1/progress/", headers, f"{len(first):x}\r\n".encode() + first + b"\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 403 "), answer[:200]  # no CSRF token in a form that was never read
    assert seconds < 5


@pytest.mark.parametrize("value", ["0", "-5"])
def test_limit_must_be_positive(tmp_path: Path, value: str) -> None:
    result = load_settings(tmp_path, DEBUG="1", MAX_REQUEST_BODY_MB=value)
    assert result.returncode != 0
    assert "MAX_REQUEST_BODY_MB must be at least 1" in result.stderr

"""templates/rounds/_item.html writes what the official GOV.UK macros write for RoundItemForm's fields, with the
parameters core/form_fields.py builds from the form: blank, filled in, and with an error on every field."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import engines
from markupsafe import Markup, escape

from core.form_fields import field_params
from recommendations.forms import RoundItemForm
from recommendations.models import Progress, Recommendation
from recommendations.round_selectors import RoundItem
from recommendations.views.rounds import ItemFields

# (field, official component, macro, the options the page gives it)
FIELDS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("progress", "radios", "govukRadios", {"label": "How far has implementation got?", "label_size": "s"}),
    ("text", "textarea", "govukTextarea", {"label": "What has been done since the last update"}),
    ("evidence_url", "input", "govukInput", {"label": "Link to evidence"}),
    (
        "evidence_file",
        "file-upload",
        "govukFileUpload",
        {"label": "Or upload evidence", "hint": "PDF, DOCX, XLSX, ODT, ODS, PNG, JPG, CSV or TXT, smaller than 10 MB"},
    ),
    ("no_change", "checkboxes", "govukCheckboxes", {"label": "No change since the last update"}),
]
REQUIRED_LOOKING = ("progress", "text")  # optional to the form (a blank item is left), not marked "(optional)"


def markup(html: str) -> str:
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", " ".join(html.split()))


def official(form: RoundItemForm) -> str:
    parts = []
    for name, component, macro, options in FIELDS:
        params = field_params(form[name], mark_optional=name not in REQUIRED_LOOKING, **options)
        hidden = f'<span class="govuk-visually-hidden"> ({escape(REFERENCE)})</span>'
        place = params["fieldset"]["legend"] if component in ("radios",) else params.get("label")
        if name == "no_change":
            place = params["items"][0]
        assert place is not None
        place["html"] = escape(place.pop("text")) + Markup(hidden)
        if name == "no_change":
            params["classes"] = "govuk-checkboxes--small"
        source = f'{{% from "govuk_frontend_jinja/components/{component}/macro.html" import {macro} %}}'
        parts.append(engines["jinja2"].from_string(source + f"{{{{ {macro}(p) }}}}").render({"p": params}))
    return markup("".join(parts))


def lean(item: ItemFields) -> str:
    source = '{% from "rounds/_item.html" import item_fields %}{{ item_fields(item) }}'
    return markup(engines["jinja2"].from_string(source).render({"item": item}))


REFERENCE = "N57-PP-2025/R<1>"  # escaped like any text


def recommendation() -> Recommendation:
    return Recommendation(pk=7, progress=Progress.IN_PROGRESS)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"item-7-progress": "completed", "item-7-text": 'Done <b>"all"</b> & more', "item-7-no_change": "on"},
        {"item-7-progress": "bogus", "item-7-text": "", "item-7-evidence_url": "not a link"},
        {"item-7-text": "x" * 2001, "item-7-evidence_url": "https://example.com/a?b=1&c=<2>"},
    ],
)
def test_the_lean_item_writes_what_the_official_macros_write(data: dict[str, str] | None) -> None:
    rec = recommendation()
    files = {"item-7-evidence_file": SimpleUploadedFile("plan.pdf", b"not a pdf")} if data else None
    form = RoundItemForm(data, files, recommendation=rec) if data is not None else RoundItemForm(recommendation=rec)
    if data is not None:
        form.is_valid()
        assert form.errors  # every bound case has an error somewhere: the file's content is not a PDF
    row = RoundItem(7, REFERENCE, "", rec.progress, "", "", "", "", "", late=False)
    item = ItemFields.of(row, form if data is not None else None)
    assert lean(item) == official(form)

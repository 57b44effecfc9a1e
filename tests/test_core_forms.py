"""Selects render through govukSelect (templates/macros/forms.html), their options from core.forms.plain_choices:
the same options, in the same order and with the same one chosen, as Django's own Select writes."""

import re

import pytest
from django import forms
from django.template import engines
from pytest_django import DjangoAssertNumQueries

from core.forms import plain_choices

CHOICES = [("", "Nobody"), (1, "Ann <Admin> & Co"), (2, 'Bo "B"'), (3, "Cy")]
FIELD = '{% from "macros/forms.html" import field %}{{ field(form.owner) }}'


def options(html: str) -> list[tuple[str, bool, str]]:
    """(value, chosen, text) of each option, whatever the attributes' order and the quoting."""
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
    return [(value, bool(chosen), text.replace("&#34;", "&quot;")) for value, chosen, text in found]


class OwnerForm(forms.Form):
    owner = forms.ChoiceField(choices=CHOICES, required=False)


@pytest.mark.parametrize("value", [None, "", 2, "2", 99])
def test_a_select_offers_what_djangos_select_offers(value: object) -> None:
    form = OwnerForm(initial={"owner": value})
    ours = engines["jinja2"].from_string(FIELD).render({"form": form})
    assert re.search(r'<select class="govuk-select" id="id_owner" name="owner"\s*>', ours)
    assert options(ours) == options(forms.Select(choices=CHOICES).render("owner", value))


def test_a_model_choice_fields_options_take_one_plain_query(
    db: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    from accounts.models import User
    from tests.factories import make_user

    people = [make_user(first_name="Ann", last_name="Admin"), make_user(first_name="Bo", last_name="Baker")]

    class PersonForm(forms.Form):
        person = forms.ModelChoiceField(queryset=User.objects.order_by("pk"), required=False)

    field = PersonForm().fields["person"]
    assert isinstance(field, forms.ModelChoiceField)
    with django_assert_num_queries(1):
        choices = [(str(value), str(label)) for value, label in plain_choices(field.widget.choices)]
    assert choices == [("", str(field.empty_label)), *((str(person.pk), person.get_full_name()) for person in people)]
    html = (
        engines["jinja2"]
        .from_string(FIELD.replace("owner", "person"))
        .render({"form": PersonForm(initial={"person": people[1].pk})})
    )
    assert f'<option value="{people[1].pk}" selected>Bo Baker</option>' in html

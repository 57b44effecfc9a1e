"""core.forms.LongSelect writes the same select as Django's, without a template per option."""

import re

import pytest
from django import forms

from core.forms import LongSelect

CHOICES = [("", "Nobody"), (1, "Ann <Admin> & Co"), (2, 'Bo "B"'), (3, "Cy")]


def normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("value", [None, "", 2, "2", 99])
def test_long_select_renders_what_select_renders(value: object) -> None:
    attrs = {"id": "id_owner", "class": "govuk-select", "aria-describedby": "owner-hint"}
    expected = forms.Select(choices=CHOICES).render("owner", value, attrs=attrs)
    assert normalised(LongSelect(choices=CHOICES).render("owner", value, attrs=attrs)) == normalised(expected)


def test_long_select_in_a_form_with_a_model_choice_field(db: None) -> None:
    from accounts.models import User
    from tests.factories import make_user

    person = make_user(first_name="Ann", last_name="Admin")

    class PersonForm(forms.Form):
        person = forms.ModelChoiceField(queryset=User.objects.all(), widget=LongSelect, required=False)

    html = str(PersonForm(initial={"person": person.pk})["person"])
    assert f'<option value="{person.pk}" selected>Ann Admin</option>' in html
    assert html.startswith('<select name="person" id="id_person">')

"""publicity.renderers draws inputs and selects in Python: to the character what Django's templates draw."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe

from publicity.renderers import FormRenderer

CHOICES = [
    ("", "All <statuses>"),
    ("draft", "Draft & co"),
    (3, 3),
    ("Group", [("a", 'A "quoted"'), ("b", "B")]),
]


class Everything(forms.Form):
    text = forms.CharField(
        max_length=20, widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "<q>"})
    )
    search = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"type": "search", "autofocus": True})
    )
    number = forms.IntegerField(min_value=0)
    email = forms.EmailField(required=False)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "disabled": False}))
    month = forms.DateField(input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"}))
    hidden = forms.CharField(widget=forms.HiddenInput)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    agree = forms.BooleanField(required=False)
    choice = forms.ChoiceField(
        choices=CHOICES, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    several = forms.MultipleChoiceField(choices=CHOICES, required=False)
    maybe = forms.NullBooleanField(required=False)


BOUND = {
    "text": 'x"<b>&',
    "search": "",
    "number": "12345",
    "when": "2026-11-30",
    "month": "2026-11",
    "hidden": "h",
    "secret": "s<",
    "agree": "on",
    "choice": "3",
    "several": ["a", "draft"],
    "maybe": "true",
}
INITIAL = {"text": mark_safe("<i>safe</i>"), "when": datetime.date(2026, 1, 2), "choice": "b"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("data", [BOUND, None], ids=["bound", "unbound"])
def test_widgets_are_drawn_as_django_draws_them(data, language):
    with translation.override(language):
        drawn, by_templates = Everything(data, initial=INITIAL), Everything(data, initial=INITIAL)
        by_templates.renderer = DjangoTemplates()
        for name in Everything.base_fields:
            assert drawn[name].as_widget() == by_templates[name].as_widget(), name


def test_the_form_renderer_is_the_python_one():
    assert isinstance(Everything().renderer, FormRenderer)


def test_other_widgets_are_drawn_by_their_templates():
    textarea = forms.Textarea().render("body", "a < b", renderer=FormRenderer())
    assert textarea == '<textarea name="body" cols="40" rows="10">\na &lt; b</textarea>'

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outlets.models import Adoption, Outlet
from outlets.validators import validate_web_address
from submissions.content import sanitize_body
from submissions.models import Article, Status

from .periods import BEFORE_FIRST_YEAR, IN_THE_FUTURE, Kind, Period, publication_day_problem


class AdoptionForm(forms.ModelForm):
    """The office records one adoption (采用) by hand."""

    article = forms.IntegerField(
        label=_("Item number"),
        min_value=1,
        help_text=_("The number shown on the item's page."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    outlet = forms.ModelChoiceField(label=_("Outlet"), queryset=Outlet.objects.all())
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[validate_web_address],
    )

    class Meta:
        model = Adoption
        fields = [
            "adopted_on",
            "url",
            "issue",
            "note",
            "instruction_level",
            "instruction_leader",
            "instruction_text",
        ]
        widgets = {
            "adopted_on": forms.DateInput(attrs={"type": "date"}),
            "instruction_text": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"issue": _("For print: the issue number and page, e.g. “No. 1234, p. 3”.")}

    field_order = ["article", "outlet"]

    def clean_article(self):
        number = self.cleaned_data["article"]
        article = Article.objects.filter(pk=number).select_related("unit").first()
        if article is None:
            raise forms.ValidationError(_("There is no item number %(number)s.") % {"number": number})
        if article.status != Status.APPROVED:
            raise forms.ValidationError(_("Only signed-off items can be adopted."))
        return article

    def clean_adopted_on(self):
        day = self.cleaned_data["adopted_on"]
        messages = {
            IN_THE_FUTURE: _("The publication date cannot be in the future."),
            BEFORE_FIRST_YEAR: _("The publication date cannot be before the year 2000."),
        }
        if problem := publication_day_problem(day):
            raise forms.ValidationError(messages[problem])
        return day

    def clean(self):
        data = super().clean()
        if (data.get("instruction_leader") or data.get("instruction_text")) and not data.get(
            "instruction_level"
        ):
            self.add_error("instruction_level", _("Say the level of the leader who wrote the instruction."))
        return data

    def details(self):
        data = self.cleaned_data
        return {field: data[field] for field in self.Meta.fields if field != "adopted_on"}


class ImportForm(forms.Form):
    sheet = forms.FileField(
        label=_("Excel sheet (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        limit = settings.REPORTS_IMPORT_MAX_BYTES
        if sheet.size > limit:
            raise forms.ValidationError(
                _("The sheet is %(size)s KB; at most %(limit)s KB can be imported.")
                % {"size": sheet.size // 1024, "limit": limit // 1024}
            )
        return sheet


class BulletinForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14, "data-body-editor": ""}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_body(self):
        body = sanitize_body(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError(_("The bulletin needs some text."))
        return body


class GenerateBulletinForm(forms.Form):
    """The recent months and quarters a bulletin can be written for."""

    period = forms.ChoiceField(label=_("Period"))

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        months = [Period.containing(Kind.MONTH, today)]
        quarters = [Period.containing(Kind.QUARTER, today)]
        for _n in range(5):
            months.append(months[-1].previous())
        for _n in range(3):
            quarters.append(quarters[-1].previous())
        self.periods = {str(p): p for p in months + quarters}
        self.fields["period"].choices = [
            (_("Months"), [(str(p), p.label) for p in months]),
            (_("Quarters"), [(str(p), p.label) for p in quarters]),
        ]
        self.fields["period"].initial = str(months[1])  # usually: the month that just ended

    def clean_period(self):
        return self.periods[self.cleaned_data["period"]]


class YearClosingForm(forms.Form):
    """Why the office closes a year, or opens a closed one again: kept in the year's log."""

    reason = forms.CharField(
        label=_("Reason for closing or reopening"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": _("Say why the year is closed or reopened.")},
    )

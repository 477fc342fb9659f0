from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, UnitClass
from outlets.models import Adoption, Outlet
from outlets.validators import validate_web_address
from submissions.content import sanitize_body
from submissions.models import Article, Category, Status

from .periods import BEFORE_FIRST_YEAR, IN_THE_FUTURE, Kind, Period, add_months, publication_day_problem


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


class ItemLedgerForm(forms.Form):
    """The item ledger's filters; every one is optional. A month sets the date range."""

    YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.filter(parent__isnull=False), required=False,
        empty_label=_("All units"),
    )  # fmt: skip
    unit_class = forms.ModelChoiceField(
        label=_("Unit class"), queryset=UnitClass.objects.all(), required=False, empty_label=_("All classes")
    )
    month = forms.DateField(
        label=_("Month"), required=False, input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}),
    )  # fmt: skip
    date_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Submitted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, empty_label=_("All categories")
    )
    outlet = forms.ModelChoiceField(
        label=_("Outlet"), queryset=Outlet.objects.all(), required=False, empty_label=_("All outlets")
    )
    adopted = forms.ChoiceField(label=_("Adopted"), choices=YES_NO, required=False)
    important = forms.ChoiceField(label=_("Important"), choices=YES_NO, required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = [c for c in Status.choices if c[0] != Status.DRAFT]
        self.fields["status"].choices = [("", _("All statuses")), *statuses]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            elif not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs["class"] = "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        if month := data.get("month"):
            data["date_from"] = month
            data["date_to"] = add_months(month, 1) - timedelta(days=1)
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end of the range is before its start."))
        return data

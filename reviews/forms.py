from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from outlets.actions import default_outlets
from outlets.models import Outlet
from submissions.models import Category


class DecisionForm(forms.Form):
    APPROVE, RETURN, REJECT = "approve", "return", "reject"

    decision = forms.ChoiceField(choices=[(APPROVE, APPROVE), (RETURN, RETURN), (REJECT, REJECT)])
    revision = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return or reject: tell the author why."),
    )

    outlets = forms.ModelMultipleChoiceField(
        label=_("Report to"),
        queryset=Outlet.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Signing off sends the item to these outlets."),
    )

    def __init__(self, *args, signs_off=False, article=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.signs_off = signs_off
        if signs_off:
            self.fields["outlets"].queryset = Outlet.objects.deliverable()
            self.fields["outlets"].label_from_instance = _outlet_label
            if not self.is_bound and article is not None:
                self.initial["outlets"] = [o.pk for o in default_outlets(article)]
        else:
            del self.fields["outlets"]

    def clean(self):
        data = super().clean()
        if data.get("decision") in (self.RETURN, self.REJECT) and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Write a comment: the author needs to know why."))
        return data


class ReviewerEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 12, "data-body-editor": ""}))
    version = forms.IntegerField(widget=forms.HiddenInput)


def _outlet_label(outlet):
    if outlet.is_active:
        return str(outlet)
    return _("%(outlet)s (paused: its delivery waits until the outlet is resumed)") % {"outlet": outlet}


class QueueFilterForm(forms.Form):
    """The review queue's filters; all optional."""

    YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units")
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, empty_label=_("All categories")
    )
    important = forms.ChoiceField(label=_("Important"), choices=YES_NO, required=False)
    date_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Submitted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, unit_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids, parent__isnull=False)
        for field in self.fields.values():
            kind = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{kind} {kind}-sm"

    def apply(self, steps):
        data = self.cleaned_data
        if data["unit"]:
            steps = steps.filter(unit=data["unit"])
        if data["category"]:
            steps = steps.filter(article__category=data["category"])
        if data["important"]:
            steps = steps.filter(article__important=data["important"] == "yes")
        if data["date_from"]:
            steps = steps.filter(article__submitted_at__date__gte=data["date_from"])
        if data["date_to"]:
            steps = steps.filter(article__submitted_at__date__lte=data["date_to"])
        if q := data["q"].strip():
            steps = steps.filter(Q(article__title__icontains=q) | Q(article__body__icontains=q))
        return steps


class BatchSignOffForm(forms.Form):
    """Several items ticked on the queue, signed off to the same outlets. Each step's revision (the
    one shown on the queue) comes as `revision-<step id>`."""

    steps = forms.TypedMultipleChoiceField(
        coerce=int, error_messages={"required": _("Tick the items to sign off.")}
    )
    outlets = forms.ModelMultipleChoiceField(
        label=_("Report to"),
        queryset=Outlet.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steps"].choices = [(v, v) for v in self.data.getlist("steps") if v.isdigit()]
        self.fields["outlets"].label_from_instance = _outlet_label

    def revision_of(self, step_id):
        try:
            return int(self.data.get(f"revision-{step_id}", ""))
        except ValueError:
            return None


class DelegationForm(forms.Form):
    """代审: whom the reviewer names, and for which days."""

    deputy = forms.ModelChoiceField(label=_("Deputy"), queryset=None)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Both days included. You can end it early when you are back."),
    )

    def __init__(self, *args, deputies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = deputies

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        return data

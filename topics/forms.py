from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit, UnitClass

from .models import Topic


class TopicForm(forms.ModelForm):
    """The office's topic: what is wanted, of whom, by when, and the bonus for answering it."""

    class Meta:
        model = Topic
        fields = ["title", "brief", "audience", "unit_class", "units", "deadline", "bonus_points"]
        labels = {
            "title": _("Title"),
            "brief": _("What is wanted"),
            "audience": _("Asked of"),
            "unit_class": _("Unit class"),
            "units": _("Units"),
            "deadline": _("Deadline"),
            "bonus_points": _("Bonus points"),
        }
        widgets = {
            "brief": forms.Textarea(attrs={"rows": 5}),
            "audience": forms.RadioSelect,
            "units": forms.CheckboxSelectMultiple,
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_class"].queryset = UnitClass.objects.all()
        self.fields["unit_class"].help_text = _("When the topic is asked of one unit class.")
        self.fields["units"].queryset = Unit.objects.active().filter(parent__isnull=False)
        self.fields["units"].help_text = _("When the topic is asked of chosen units.")
        self.fields["bonus_points"].required = False

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline has passed already. Choose today or a later day."))
        return deadline

    def clean_bonus_points(self):
        points = self.cleaned_data["bonus_points"]
        if points is not None and points < 0:
            raise forms.ValidationError(_("Bonus points cannot be negative."))
        return points or 0

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience == Topic.Audience.CLASS and not cleaned.get("unit_class"):
            self.add_error("unit_class", _("Choose the unit class the topic is asked of."))
        if audience == Topic.Audience.UNITS and not cleaned.get("units"):
            self.add_error("units", _("Choose at least one unit."))
        return cleaned


class UnitForm(forms.Form):
    """Which unit an answer is for, or which unit to urge; the choices are checked by the view."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit

from .actions import PieceChange
from .models import Briefing, BriefingSeries


class NewBriefingForm(forms.Form):
    series = forms.ModelChoiceField(
        label=_("Series"), queryset=BriefingSeries.objects.filter(is_active=True), empty_label=None
    )


class BriefingForm(forms.ModelForm):
    """The issue's own text: the editor's note and the distribution lines."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Briefing
        fields = ["editor_note", "report_to", "copy_to", "issue_to", "copies"]
        labels = {
            "editor_note": _("Editor's note"),
            "report_to": _("Reported to (报)"),
            "copy_to": _("Copied to (送)"),
            "issue_to": _("Issued to (发)"),
            "copies": _("Copies printed"),
        }
        widgets = {"editor_note": forms.Textarea(attrs={"rows": 3})}


class PieceForm(forms.Form):
    """One piece as edited for the briefing."""

    piece_id = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    column = forms.TypedChoiceField(
        label=_("Column"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000)

    def __init__(self, *args, columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].choices = [("", _("No column"))] + [(c.pk, c.name) for c in columns]

    def change(self):
        data = self.cleaned_data
        return PieceChange(data["piece_id"], data["title"], data["body"], data["column"], data["order"])


PieceFormSet = forms.formset_factory(PieceForm, extra=0)


def piece_formset(briefing, data=None):
    pieces = list(briefing.pieces.filter(removed_at__isnull=True).select_related("article"))
    initial = [
        {"piece_id": p.pk, "title": p.title, "body": p.body, "column": p.column_id, "order": p.order}
        for p in pieces
    ]
    columns = list(briefing.series.columns.all())
    formset = PieceFormSet(data, initial=initial, prefix="pieces", form_kwargs={"columns": columns})
    for form, piece in zip(formset.forms, pieces, strict=False):
        form.piece = piece
    return formset


class ItemSearchForm(forms.Form):
    q = forms.CharField(label=_("Search signed-off items"), required=False, max_length=100)


class AddToBriefingForm(forms.Form):
    briefing = forms.ModelChoiceField(label=_("Briefing"), queryset=Briefing.objects.none(), empty_label=None)

    def __init__(self, *args, briefings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["briefing"].queryset = briefings
        # Issues being edited have no number yet: tell them apart by who started them, and when.
        self.fields["briefing"].label_from_instance = _draft_label


def _draft_label(briefing):
    started = date_format(timezone.localtime(briefing.created_at), "SHORT_DATE_FORMAT")
    return f"{briefing.heading()} · {started} · {briefing.created_by}"


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return the briefing: tell the editors why."),
    )


class IssueForm(forms.Form):
    ALL, CHOSEN = "all", "chosen"

    send_to = forms.ChoiceField(
        label=_("Send to"),
        choices=[(ALL, _("All units")), (CHOSEN, _("Chosen units"))],
        initial=ALL,
        widget=forms.RadioSelect,
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.active().filter(parent__isnull=False)

    def chosen_units(self):
        if self.cleaned_data["send_to"] == self.ALL:
            return list(self.fields["units"].queryset)
        return list(self.cleaned_data["units"])


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Why is it taken out?"), max_length=500, required=False)


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

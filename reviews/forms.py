from django import forms
from django.utils.translation import gettext_lazy as _

from outlets.actions import default_outlets
from outlets.models import Outlet


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

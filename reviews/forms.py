from django import forms
from django.utils.translation import gettext_lazy as _


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

    def clean(self):
        data = super().clean()
        if data.get("decision") in (self.RETURN, self.REJECT) and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Write a comment: the author needs to know why."))
        return data


class ReviewerEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 12, "data-body-editor": ""}))
    version = forms.IntegerField(widget=forms.HiddenInput)

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Notification


class EmailPreferencesForm(forms.Form):
    """One checkbox per kind; ticked means the user wants that kind by e-mail."""

    wanted = forms.MultipleChoiceField(
        label=_("E-mail me when:"),
        choices=Notification.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    @classmethod
    def for_user(cls, user, data=None):
        opted_out = set(user.email_opt_outs.values_list("kind", flat=True))
        return cls(data, initial={"wanted": [k for k in Notification.Kind.values if k not in opted_out]})

    def opt_outs(self):
        return set(Notification.Kind.values) - set(self.cleaned_data["wanted"])

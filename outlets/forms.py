from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .credentials import encrypt
from .models import Delivery, Outlet


class DeliveryFilterForm(forms.Form):
    outlet = forms.ModelChoiceField(
        label=_("Outlet"), queryset=Outlet.objects.all(), required=False, empty_label=_("All outlets")
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *Delivery.State.choices]
        for field in ("outlet", "state"):
            self.fields[field].widget.attrs["class"] = "form-select"
        for field in ("since", "until"):
            self.fields[field].widget.attrs["class"] = "form-control"

    def apply(self, deliveries):
        data = self.cleaned_data
        if data["outlet"]:
            deliveries = deliveries.filter(outlet=data["outlet"])
        if data["state"]:
            deliveries = deliveries.filter(state=data["state"])
        # bounds as instants, not `created_at__date`: a function of the column has no index behind it
        if data["since"]:
            deliveries = deliveries.filter(created_at__gte=_start_of(data["since"]))
        if data["until"]:
            deliveries = deliveries.filter(created_at__lt=_start_of(data["until"] + timedelta(days=1)))
        return deliveries


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class OutletAdminForm(forms.ModelForm):
    """The credential is write-only: never shown back; left empty, the stored one is kept."""

    credential = forms.CharField(
        label=_("Password or signing secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "WordPress application password, or the webhook signing secret (whsec_…). "
            "Leave empty to keep the stored one."
        ),
    )

    class Meta:
        model = Outlet
        fields = [
            "name",
            "kind",
            "level",
            "endpoint",
            "username",
            "post_status",
            "category_map",
            "accepted_categories",
            "preselected",
            "is_active",
            "paused_reason",
            "max_concurrency",
        ]

    def clean(self):
        data = super().clean()
        has_secret = data.get("credential") or self.instance.secret_encrypted
        if data.get("kind") == Outlet.Kind.WEBHOOK and not has_secret:
            self.add_error("credential", _("A webhook outlet needs a signing secret (whsec_…)."))
        return data

    def save(self, commit=True):
        outlet = super().save(commit=False)
        if self.cleaned_data.get("credential"):
            outlet.secret_encrypted = encrypt(self.cleaned_data["credential"])
        if commit:
            outlet.save()
            self.save_m2m()
        return outlet

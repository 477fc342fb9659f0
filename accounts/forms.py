from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .actions import set_own_password
from .models import Unit, UnitClass


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    """Django's form; the e-mail goes out in the language the person chose, else the one they are
    using now, and its link starts with SITE_URL (never with the Host header of the request)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
        with translation.override(context["user"].language or translation.get_language()):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class ChooseNewPasswordForm(auth_forms.SetPasswordForm):
    """The form behind the e-mailed link."""

    def save(self, commit=True):
        self.user = set_own_password(self.cleaned_data["new_password1"], by=self.user, how="reset by e-mail")
        return self.user


class ChangePasswordForm(auth_forms.PasswordChangeForm):
    """Django's form; a temporary password from the office cannot be kept as one's own."""

    def clean(self):
        data = super().clean()
        if self.user.must_change_password and data.get("new_password1") == data.get("old_password"):
            raise ValidationError(
                _("Choose a password of your own: the temporary one must be replaced."), code="kept_temporary"
            )
        return data

    def save(self, commit=True):
        self.user = set_own_password(self.cleaned_data["new_password1"], by=self.user, how="changed")
        return self.user


# --- Units and people, by the office ---------------------------------------------------------------


class UnitForm(forms.Form):
    """Add a unit, or rename, move or re-class one; the parent is one of the units the office manages."""

    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(label=_("Parent unit"), queryset=Unit.objects.none(), required=False)
    unit_class = forms.ModelChoiceField(
        label=_("Unit class"),
        queryset=UnitClass.objects.all(),
        required=False,
        help_text=_("Units with a class write items and are assessed; leave it empty for grouping units."),
    )
    active_from = forms.DateField(
        label=_("Active from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("No minimum is owed for the months before this day. Leave empty if always."),
    )

    def __init__(self, *args, unit_ids, unit=None, top_level=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Only an admin adds a unit at the top, or moves one there; the office adds below its units.
        self.fields["parent"].required = not top_level and (unit is None or unit.parent_id is not None)
        parents = Unit.objects.filter(pk__in=unit_ids, is_active=True)
        if unit is not None:
            parents = parents.exclude(pk=unit.pk)
        self.fields["parent"].queryset = parents

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class PersonForm(forms.Form):
    """A new person and their first role."""

    display_name = forms.CharField(label=_("Name"), max_length=150)
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @ . + - _ only; used to sign in."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, roles, unit_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids, is_active=True)


class RoleForm(forms.Form):
    """Give a person one more role."""

    role = forms.ChoiceField(label=_("Role"))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, roles, unit_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids, is_active=True)


class SheetForm(forms.Form):
    sheet = forms.FileField(
        label=_("Excel sheet (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

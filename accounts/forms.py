from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .actions import set_own_password


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

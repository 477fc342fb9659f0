from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .actions import set_own_password


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

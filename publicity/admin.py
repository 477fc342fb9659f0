"""Admin pieces the apps share."""

from django.db import models


class ReadOnlyAdminMixin:
    """For records that change only through the app's actions (articles, review runs, deliveries):
    the admin shows them but cannot add, change or delete them."""

    # An address without a scheme is read as https (Django 6's default; 5.2 warns without it).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Admin pieces the apps share."""


class ReadOnlyAdminMixin:
    """For records that change only through the app's actions (articles, review runs, deliveries):
    the admin shows them but cannot add, change or delete them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

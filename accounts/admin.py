from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import RoleAssignment, Unit, UnitClass, User

admin.site.site_header = _("Publicity Desk administration")
admin.site.site_title = _("Publicity Desk")
admin.site.index_title = _("Configuration")


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "display_name", "email", "is_active", "is_staff", "must_change_password"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    fieldsets = (
        # An admin who sets a password here may tick the box to have it changed at the next sign-in.
        (None, {"fields": ("username", "password", "must_change_password")}),
        (_("Personal info"), {"fields": ("display_name", "first_name", "last_name", "email")}),
        *BaseUserAdmin.fieldsets[2:],
    )


@admin.register(UnitClass)
class UnitClassAdmin(TranslationAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]


class ChildUnitInline(TranslationTabularInline):
    model = Unit
    fk_name = "parent"
    fields = ["name", "short_name", "unit_class", "order", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(Unit)
class UnitAdmin(TranslationAdmin):
    list_display = ["name", "parent", "unit_class", "order", "is_active"]
    list_filter = ["unit_class", "is_active", "parent"]
    list_select_related = ["parent", "unit_class"]
    search_fields = ["name_en", "name_zh_hans", "short_name_en", "short_name_zh_hans"]
    autocomplete_fields = ["parent"]
    inlines = [ChildUnitInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role", "unit"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__display_name", "unit__name_en", "unit__name_zh_hans"]
    autocomplete_fields = ["user", "unit"]

from django.contrib import admin

from publicity.admin import ReadOnlyAdminMixin

from . import actions
from .models import Topic, TopicReminder


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """Corrections to a posted topic; a changed bonus is scored again for the topic's adopted items."""

    list_display = ["title", "audience", "unit_class", "deadline", "bonus_points", "posted_by"]
    list_filter = ["audience", "unit_class"]
    search_fields = ["title", "brief"]
    date_hierarchy = "deadline"
    filter_horizontal = ["units"]
    readonly_fields = ["posted_by", "posted_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.posted_by = request.user
        super().save_model(request, obj, form, change)
        if change and {"bonus_points", "deadline"} & set(form.changed_data):
            actions.bonus_changed(obj)


@admin.register(TopicReminder)
class TopicReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["topic", "unit", "by", "recipients", "sent_at"]
    list_filter = ["unit"]

from django.contrib import admin

from .models import EmailOptOut, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "article", "actor", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "article", "actor"]
    raw_id_fields = ["recipient", "article", "actor"]
    search_fields = ["recipient__username", "recipient__display_name", "article__title"]
    date_hierarchy = "created_at"


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    list_display = ["user", "kind"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]

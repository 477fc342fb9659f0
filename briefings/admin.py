from django.contrib import admin

from .models import Briefing, BriefingColumn, BriefingReceipt, BriefingSeries, BriefingStage


class ColumnInline(admin.TabularInline):
    model = BriefingColumn
    extra = 1


class StageInline(admin.TabularInline):
    model = BriefingStage
    extra = 1


@admin.register(BriefingSeries)
class BriefingSeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "issuing_office", "signer", "outlet", "is_active"]
    inlines = [ColumnInline, StageInline]


class ReceiptInline(admin.TabularInline):
    model = BriefingReceipt
    extra = 0
    fields = ["unit", "signed_by", "signed_at", "urged_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin):
    """Read-only here: issues are composed, reviewed and issued on the Briefings pages."""

    list_display = ["__str__", "status", "issued_on"]
    list_filter = ["series", "status", "year"]
    list_select_related = ["series"]
    inlines = [ReceiptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

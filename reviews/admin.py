from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from publicity.admin import ReadOnlyAdminMixin

from .models import ReviewChain, ReviewRun, ReviewStage, ReviewStep


class ReviewStageInline(TranslationStackedInline):
    model = ReviewStage
    extra = 0
    fields = [("order", "name"), ("reviewer_role", "time_limit_hours"), ("applies", "categories")]
    filter_horizontal = ["categories"]


@admin.register(ReviewChain)
class ReviewChainAdmin(TranslationAdmin):
    list_display = ["name", "is_default"]
    filter_horizontal = ["units"]
    inlines = [ReviewStageInline]


class ReviewStepInline(admin.TabularInline):
    model = ReviewStep
    fields = ["stage", "decision", "reviewer", "comment", "created_at", "due_at", "decided_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReviewRun)
class ReviewRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: runs and steps change only through the app's review actions."""

    list_display = ["article", "chain", "state", "started_at", "finished_at"]
    list_filter = ["state", "chain"]
    list_select_related = ["article", "chain"]
    show_full_result_count = False
    inlines = [ReviewStepInline]

"""The office's assessment settings. A change to a rule, bonus, minimum or the policy rebuilds the
points it affects (in a task, after the change commits)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from outlets.models import Adoption
from publicity.admin import ReadOnlyAdminMixin

from . import actions
from .models import AnnualTarget, Bulletin, InstructionBonus, Quota, Reminder, Score, ScoreRule, ScoringPolicy

RECOMPUTING = _("Points are being recomputed for the periods this change affects.")


class RecomputingAdmin(admin.ModelAdmin):
    """Tells the admin that the change is being applied to past periods."""

    def recompute(self, request, obj, previous):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        previous = type(obj).objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        self.recompute(request, obj, previous)
        messages.info(request, RECOMPUTING)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.recompute(request, obj, obj)
        messages.info(request, RECOMPUTING)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(RecomputingAdmin):
    list_display = ["__str__", "multi_outlet", "missed_submitted_deduction", "missed_adopted_deduction"]

    def has_add_permission(self, request):
        return not ScoringPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def recompute(self, request, obj, previous):
        actions.policy_changed()


@admin.register(ScoreRule)
class ScoreRuleAdmin(RecomputingAdmin):
    list_display = ["__str__", "level", "outlet", "category", "main_points", "co_points"]
    list_filter = ["level"]

    def recompute(self, request, obj, previous):
        rules = [r for r in (obj, previous) if r is not None]
        actions.rule_changed(
            levels={r.level for r in rules if r.level}, outlet_ids={r.outlet_id for r in rules if r.outlet_id}
        )


@admin.register(InstructionBonus)
class InstructionBonusAdmin(RecomputingAdmin):
    list_display = ["level", "points"]

    def recompute(self, request, obj, previous):
        levels = {b.level for b in (obj, previous) if b is not None}
        actions.rescore_adoptions(Adoption.objects.filter(instruction_level__in=levels))


@admin.register(Quota)
class QuotaAdmin(RecomputingAdmin):
    list_display = ["unit_class", "month", "min_submitted", "min_adopted"]
    list_filter = ["unit_class"]

    def recompute(self, request, obj, previous):
        actions.rescore_minimums()


@admin.register(AnnualTarget)
class AnnualTargetAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "submitted", "adopted", "points"]
    list_filter = ["year"]
    autocomplete_fields = ["unit"]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["month", "unit", "officer", "kind", "points", "article", "rule"]
    list_filter = ["kind", "month"]
    list_select_related = ["unit", "officer", "article", "rule", "rule__outlet", "rule__category"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["unit", "month", "by", "automatic", "recipients", "sent_at"]
    list_select_related = ["unit", "by"]


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "period", "year", "number", "state", "published_at"]
    list_filter = ["state", "period", "year"]

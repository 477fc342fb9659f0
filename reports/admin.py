"""The office's assessment settings. A change to a rule, bonus, minimum or the policy rebuilds the
points it affects (in a task, after the change commits)."""

from django.contrib import admin, messages
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from outlets.models import Adoption
from publicity.admin import ReadOnlyAdminMixin

from . import actions
from .models import (
    AnnualTarget,
    AssessmentYear,
    Bulletin,
    BulletinRegeneration,
    InstructionBonus,
    Quota,
    Reminder,
    Score,
    ScoreRule,
    ScoringPolicy,
    YearEvent,
)

RECOMPUTING = _("Points are being recomputed for the periods this change affects.")
KEPT_FOR_CLOSED_YEAR = _("%(setting)s was kept: %(year)s is closed and was judged by it.")


class RecomputingAdmin(admin.ModelAdmin):
    """Tells the admin that the change is being applied to the periods it covers, before and after the
    change. A setting that a closed year was judged by cannot be changed or deleted (see `InForce`)."""

    def recompute(self, request, obj, previous):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        previous = type(obj).objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        self.recompute(request, obj, previous)
        messages.info(request, RECOMPUTING)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.closed_year_changed(obj, None):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.recompute(request, obj, obj)
        messages.info(request, RECOMPUTING)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            if year := obj.closed_year_changed(obj, None):
                messages.warning(request, KEPT_FOR_CLOSED_YEAR % {"setting": obj, "year": year})
            else:
                self.delete_model(request, obj)


def periods(*settings):
    """The periods in which these versions of a setting applied: what a change has to recompute."""
    return [(s.valid_from, s.valid_to) for s in settings if s is not None]


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(RecomputingAdmin):
    list_display = [
        "__str__",
        "valid_from",
        "valid_to",
        "multi_outlet",
        "missed_submitted_deduction",
        "missed_adopted_deduction",
    ]

    def recompute(self, request, obj, previous):
        actions.policy_changed(periods(obj, previous))


@admin.register(ScoreRule)
class ScoreRuleAdmin(RecomputingAdmin):
    list_display = [
        "__str__",
        "level",
        "outlet",
        "category",
        "main_points",
        "co_points",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["level"]

    def recompute(self, request, obj, previous):
        rules = [r for r in (obj, previous) if r is not None]
        actions.rule_changed(
            levels={r.level for r in rules if r.level},
            outlet_ids={r.outlet_id for r in rules if r.outlet_id},
            periods=periods(*rules),
        )


@admin.register(InstructionBonus)
class InstructionBonusAdmin(RecomputingAdmin):
    list_display = ["level", "points", "valid_from", "valid_to"]

    def recompute(self, request, obj, previous):
        levels = {b.level for b in (obj, previous) if b is not None}
        adoptions = Adoption.objects.filter(instruction_level__in=levels)
        actions.rescore_adoptions(adoptions, periods(obj, previous))


@admin.register(Quota)
class QuotaAdmin(RecomputingAdmin):
    list_display = ["unit_class", "month", "min_submitted", "min_adopted", "valid_from", "valid_to"]
    list_filter = ["unit_class"]

    def recompute(self, request, obj, previous):
        actions.rescore_minimums(periods(obj, previous))


@admin.register(AnnualTarget)
class AnnualTargetAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "submitted", "adopted", "points"]
    list_filter = ["year"]
    autocomplete_fields = ["unit"]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["month", "unit", "officer", "kind", "points", "article", "rule", "bonus", "policy"]
    list_filter = ["kind", "month"]
    list_select_related = [
        "unit",
        "officer",
        "article",
        "rule",
        "rule__outlet",
        "rule__category",
        "bonus",
        "policy",
    ]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["unit", "month", "by", "automatic", "recipients", "sent_at"]
    list_select_related = ["unit", "by"]


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "period", "year", "number", "state", "published_at"]
    list_filter = ["state", "period", "year"]
    # The text as it reads (sanitised when saved, as on the bulletin's page), not its HTML source;
    # the version is the editors' concurrency counter, nothing to read.
    exclude = ["body", "version"]
    readonly_fields = ["text"]

    @admin.display(description=_("text"))
    def text(self, bulletin):
        return mark_safe(bulletin.body)


@admin.register(BulletinRegeneration)
class BulletinRegenerationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["bulletin", "by", "at"]
    list_select_related = ["bulletin", "by"]


@admin.register(AssessmentYear)
class AssessmentYearAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Years are closed and reopened on the year-end page, where the reason is asked for."""

    list_display = ["year", "closed_at", "closed_by"]
    list_select_related = ["closed_by"]


@admin.register(YearEvent)
class YearEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["year", "kind", "actor", "reason", "at"]
    list_select_related = ["year", "actor"]

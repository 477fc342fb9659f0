from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from publicity.admin import ReadOnlyAdminMixin
from submissions.actions import ActionRefused

from . import actions
from .forms import OutletAdminForm
from .models import Adoption, Delivery, DeliveryAttempt, Outlet


@admin.register(Outlet)
class OutletAdmin(TranslationAdmin):
    form = OutletAdminForm
    list_display = ["name", "kind", "level", "endpoint", "preselected", "is_active", "paused_reason"]
    list_filter = ["kind", "level", "is_active"]
    filter_horizontal = ["accepted_categories"]
    readonly_fields = ["feed_address"]
    actions = ["test_connection", "rotate_feed_token"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "level", "endpoint", "username", "credential"]}),
        (
            _("What and how"),
            {
                "fields": [
                    "post_status",
                    "category_map",
                    "accepted_categories",
                    "preselected",
                    "max_concurrency",
                ]
            },
        ),
        (_("State"), {"fields": ["is_active", "paused_reason", "feed_address"]}),
    ]

    @admin.display(description=_("feed address"))
    def feed_address(self, outlet):
        return (
            f"/outlets/feeds/{outlet.feed_token}/" if outlet.pk and outlet.kind == Outlet.Kind.ATOM else "—"
        )

    @admin.action(description=_("Test connection"))
    def test_connection(self, request, queryset):
        for outlet in queryset:
            ok, message = actions.test_connection(outlet)
            self.message_user(request, f"{outlet}: {message}", messages.SUCCESS if ok else messages.ERROR)

    @admin.action(description=_("Give the feed a new address (the old one stops working)"))
    def rotate_feed_token(self, request, queryset):
        for outlet in queryset:
            try:
                actions.rotate_feed_token(outlet, by=request.user)
            except ActionRefused as refused:
                self.message_user(request, f"{outlet}: {refused.message}", messages.ERROR)
            else:
                message = _("“%(outlet)s” has a new feed address: %(address)s")
                address = self.feed_address(outlet)
                self.message_user(request, message % {"outlet": outlet, "address": address}, messages.SUCCESS)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "started_at", "outcome", "latency_ms", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: deliveries change through the Deliveries page and the delivery actions."""

    list_display = ["article", "outlet", "state", "attempts", "adoption", "created_at"]
    list_filter = ["state", "outlet", "adoption"]
    list_select_related = ["article", "outlet"]
    show_full_result_count = False
    inlines = [DeliveryAttemptInline]


@admin.register(Adoption)
class AdoptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Adoptions are recorded from deliveries or by the office (Assessment → Adoptions)."""

    list_display = ["adopted_on", "article", "outlet", "level", "source", "instruction_level"]
    list_filter = ["level", "source", "outlet"]
    list_select_related = ["article", "outlet"]
    search_fields = ["article__title", "url", "issue"]
    date_hierarchy = "adopted_on"

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from publicity.admin import ReadOnlyAdminMixin

from .models import Article, Category, Event, Photo, Phrase, Revision


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = ["name", "order", "soft_limit", "hard_limit", "is_active"]
    list_editable = ["order", "soft_limit", "hard_limit", "is_active"]


@admin.register(Phrase)
class PhraseAdmin(admin.ModelAdmin):
    list_display = ["text", "action", "note"]
    list_filter = ["action"]
    search_fields = ["text", "note"]


class PhotoInline(admin.TabularInline):
    model = Photo
    fields = ["original_name", "caption", "credit", "order", "is_cover", "width", "height", "size"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RevisionInline(ReadOnlyInline):
    model = Revision
    fields = ["number", "title", "created_by", "created_at", "content_hash"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = Event
    fields = ["at", "kind", "actor", "note"]
    readonly_fields = fields


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only here: articles change through the app's actions, which keep the timeline."""

    list_display = ["title", "unit", "author", "category", "status", "event_date", "updated_at"]
    list_filter = ["status", "category", "unit"]
    list_select_related = ["unit", "author", "category"]
    search_fields = ["title"]
    show_full_result_count = False
    inlines = [PhotoInline, RevisionInline, EventInline]

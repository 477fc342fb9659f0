"""An item's number and status badge, the same on every page that lists items.

Tags, not includes: a list draws them on every row, and an include costs a template render each
time (a context pushed, the template's nodes walked); these cost a string format."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def item_number(article):
    """`No. 123`, as the office quotes an item."""
    return format_html(
        '<span class="item-number small text-body-secondary font-monospace" data-testid="item-number">'
        "{}</span>",
        gettext("No. %(number)s") % {"number": article.pk},
    )


@register.simple_tag
def status_badge(article):
    return format_html(
        '<span class="badge status-badge status-{}" data-testid="status">{}</span>',
        article.status,
        article.get_status_display(),
    )

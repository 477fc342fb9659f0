from django import template
from django.utils.translation import pgettext

from .. import numbers

register = template.Library()

# The same functions as the PDFs, Word and Excel files use (see reports.numbers).
percent = register.filter("percent", numbers.percent)
points = register.filter("points", numbers.points)


@register.filter
def progress_class(progress):
    return {"met": "success", "at_risk": "warning", "behind": "danger"}.get(progress, "secondary")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


def list_separator():
    """What joins the items of a list: a comma in English, “、” in Chinese."""
    return pgettext("list separator", ", ")


@register.filter
def join_list(items):
    """Names joined the way the language lists them ("A, B" in English, "A、B" in Chinese)."""
    return list_separator().join(str(item) for item in items)

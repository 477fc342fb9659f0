from django import template
from django.utils.formats import number_format
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def percent(value):
    """0.4567 → "45.7%"; no rate (nothing signed off) → "—"."""
    if value is None or value == "":
        return "—"
    return f"{number_format(float(value) * 100, 1)}%"


@register.filter
def points(value):
    """Points with at most two decimals and no trailing zeros: 12, 12.5, -1."""
    if value is None:
        return "0"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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

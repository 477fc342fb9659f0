"""Django's form renderer, with its most drawn widgets written in Python.

A select draws a template for itself, one for each option and one for the attributes of each: the
filters above a list cost dozens of template renders a page. Inputs and selects are drawn here
instead, to the character what Django's templates draw (tests/test_renderers.py compares the two);
every other widget, and any template an app overrides, is drawn by its template as ever."""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
# Each of these is `{% include "django/forms/widgets/input.html" %}` (and a line end, which the renderer
# strips, as it strips every widget's).
INPUTS = frozenset(
    WIDGETS + name
    for name in (
        "checkbox.html",
        "color.html",
        "date.html",
        "datetime.html",
        "email.html",
        "hidden.html",
        "number.html",
        "password.html",
        "search.html",
        "tel.html",
        "text.html",
        "time.html",
        "url.html",
    )
)
INPUT = WIDGETS + "input.html"
SELECT = WIDGETS + "select.html"
OPTION = WIDGETS + "select_option.html"


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if request is None else None
        if widget is not None and self._is_django_own(template_name):
            if template_name in INPUTS or template_name == INPUT:
                return _input(widget)
            if template_name == SELECT and all(
                option["template_name"] == OPTION
                for _, options, _ in widget["optgroups"]
                for option in options
            ):
                return _select(widget)
        return super().render(template_name, context, request)

    def _is_django_own(self, template_name):
        """Whether the template drawn would be Django's own (no app overrides it)."""
        found = getattr(self, "_own", None)
        if found is None:
            found = self._own = {}
        if template_name not in found:
            origin = self.get_template(template_name).origin.name
            found[template_name] = origin.replace("\\", "/").endswith(
                "django/forms/templates/" + template_name
            )
        return found[template_name]


def _shown(value):
    """`{{ value }}` in a template."""
    return conditional_escape(localize(template_localtime(value)))


def _formatted(value):
    """`{{ value|stringformat:'s' }}` in a template."""
    return conditional_escape(str(value))


def _attrs(attrs):
    return "".join(
        f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    named = f'type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
    return mark_safe(f"<input {named}{value}{_attrs(widget['attrs'])}>")


def _select(widget):
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))

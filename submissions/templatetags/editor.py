"""The rich-text editor's words in the page's language.

django-prose-editor ships its toolbar titles in English (and asks `window.gettext` for the words of
its dialogs); `{% editor_labels %}` gives the page our translations, which static/js/editor-labels.js
hands to the editor.
"""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, json_script
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The editor's own English word -> ours. Only what the extensions in static/js/rich-text.js show.
LABELS = {
    "bold": _("Bold"),
    "italic": _("Italic"),
    "unordered list": _("Bulleted list"),
    "ordered list": _("Numbered list"),
    "undo": _("Undo"),
    "redo": _("Redo"),
    "Insert Table": _("Insert table"),
    "Insert table": _("Insert table"),
    "Delete table": _("Delete the table"),
    "List properties": _("List properties"),
    "List type": _("List type"),
    "Start at": _("Start at"),
    "Bullets": _("Bullets"),
    "Decimal numbers": _("Numbers"),
    "Lowercase letters": _("Lowercase letters"),
    "Uppercase letters": _("Uppercase letters"),
    "Lowercase Roman numerals": _("Lowercase Roman numerals"),
    "Uppercase Roman numerals": _("Uppercase Roman numerals"),
    "Table Properties": _("Table properties"),
    "Rows": _("Rows"),
    "Columns": _("Columns"),
    "Include header row": _("Include a header row"),
    "Add column": _("Add a column"),
    "Delete column": _("Delete the column"),
    "Add row": _("Add a row"),
    "Delete row": _("Delete the row"),
    "Merge cells": _("Merge cells"),
    "Split cell": _("Split the cell"),
    "Toggle header cell": _("Header cell on or off"),
    "Insert": _("Insert"),
    "Update": _("Update"),
    "Cancel": _("Cancel"),
}


@register.simple_tag
def editor_labels():
    labels = {english: str(ours) for english, ours in LABELS.items()}
    return format_html(
        '{}<script src="{}"></script>',
        json_script(labels, "editor-labels"),
        static("js/editor-labels.js"),
    )

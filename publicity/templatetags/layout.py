"""Layout pieces shared by every page: a wide table in a region that scrolls on a phone, and pieces
drawn once for what they show."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from publicity.drawn import drawn_once

register = template.Library()


@register.tag
def scroll_table(parser, token):
    """`{% scroll_table label %}<table>…</table>{% endscroll_table %}`: the table scrolls sideways in a
    region that keyboards can reach (tabindex, role, name) and says so with a visible hint."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("scroll_table takes one argument: the table's name")
    nodelist = parser.parse(("endscroll_table",))
    parser.delete_first_token()
    return ScrollTableNode(parser.compile_filter(bits[1]), nodelist)


class ScrollTableNode(template.Node):
    def __init__(self, label, nodelist):
        self.label = label
        self.nodelist = nodelist

    def render(self, context):
        return render_to_string(
            "includes/scroll_table.html",
            {"label": self.label.resolve(context), "table": self.nodelist.render(context)},
        )


@register.tag(name="drawn_once")
def drawn_once_tag(parser, token):
    """`{% drawn_once name key %}…{% enddrawn_once %}`: the content as drawn for `key`, a
    `publicity.drawn.shown_key` of everything it shows (see publicity.drawn)."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError("drawn_once takes two arguments: a name and a key")
    nodelist = parser.parse(("enddrawn_once",))
    parser.delete_first_token()
    return DrawnOnceNode(bits[1], parser.compile_filter(bits[2]), nodelist)


class DrawnOnceNode(template.Node):
    def __init__(self, name, key, nodelist):
        self.name = name
        self.key = key
        self.nodelist = nodelist

    def render(self, context):
        key = self.key.resolve(context)
        if not key:
            return self.nodelist.render(context)
        # Safe: what the node list renders is escaped by the templates as ever.
        return mark_safe(drawn_once(self.name, key, lambda: self.nodelist.render(context)))

"""Layout pieces shared by every page: a wide table in a region that scrolls on a phone."""

from django import template
from django.template.loader import render_to_string

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

"""The item ledger (报送台账): the page, its Excel export and its print view share one filter."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from publicity.paging import page_of

from .. import permissions
from ..forms import ItemLedgerForm
from ..items import SORTS, for_rows, ledger_items
from .exports import items_sheet

EXPORT_LIMIT = 20_000
PRINT_LIMIT = 2_000


@login_required
def item_ledger(request):
    permissions.require_item_ledger(request.user)
    form = ItemLedgerForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    items = for_rows(ledger_items(filters))
    output = request.GET.get("format")
    if output == "xlsx":
        return items_sheet(items[:EXPORT_LIMIT].iterator(chunk_size=1000), _title(filters))
    context = {
        "form": form,
        "columns": _columns(filters),
        "title": _title(filters),
        "filter_query": _without(request.GET, "page", "sort", "format"),
    }
    if output == "print":
        rows = list(items[: PRINT_LIMIT + 1])
        context |= {"items": rows[:PRINT_LIMIT], "cut": len(rows) > PRINT_LIMIT, "printed_at": timezone.now()}
        return render(request, "reports/item_ledger_print.html", context)
    page = page_of(request, items, name="items", not_null=("submitted_at",))  # only submitted items
    return render(request, "reports/item_ledger.html", context | page)


def _without(query, *names):
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _title(filters):
    first, last = filters.get("date_from"), filters.get("date_to")
    if filters.get("month"):
        return _("Item ledger %(month)s") % {"month": filters["month"].strftime("%Y-%m")}
    if first or last:
        return _("Item ledger %(first)s to %(last)s") % {"first": first or "", "last": last or ""}
    return _("Item ledger")


def _columns(filters):
    """(key, label, the sort a click on the header asks for, the arrow shown now) per sortable column."""
    current = filters.get("sort") or "-submitted"
    columns = []
    for key, (label, _fields) in SORTS.items():
        if current == key:
            columns.append((key, label, f"-{key}", "▲"))
        elif current == f"-{key}":
            columns.append((key, label, key, "▼"))
        else:
            columns.append((key, label, key, ""))
    return columns

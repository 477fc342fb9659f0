"""Pages that never count the table: fetch one row more than a page to know if a next page exists.

Lists that can grow to a million rows page by key ("seek" or keyset paging): the Next link carries the
last row's sort key and the next page is the rows after it, found by walking an index from there —
as fast on page 4,000 as on page 1, and no row is shown twice or skipped when rows come and go between
two requests. The key travels signed in `?cursor=`; a cursor that was tampered with, belongs to another
list or another order gives page 1, never an error. `?page=N` without a cursor still works for the
first OFFSET_PAGES pages (OFFSET is cheap there). A queryset can be paged by key when its order is
spelled out as field names (or annotations) and ends with the primary key, which makes the key unique.
"""

import datetime
import decimal

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.db.models.query import ModelIterable
from django.http import QueryDict

PAGE_SIZE = 25
OFFSET_PAGES = 10  # ?page=N without a cursor reads at most this deep with OFFSET
SALT = "publicity.paging"


def page_of(request, rows, *, name, size=PAGE_SIZE, not_null=()):
    """Template context for one page: the rows under `name`, plus what includes/pagination.html needs
    (`page`, `has_next`, and the query strings of the Previous and Next links).

    `rows` is a queryset, or a list of querysets in one order whose rows together make the list (say,
    one per unit: a filter on several units cannot walk one index in order, each unit can). Each part
    gives its first rows of the page and the page is merged from them, comparing the sort keys in
    Python: so parts are for lists ordered by numbers and times, not by text.

    `not_null` names sort keys that may be NULL in the model but never are in these rows (the
    queryset filters them out): they can be paged by key too."""
    several = isinstance(rows, list | tuple) and rows and all(isinstance(part, QuerySet) for part in rows)
    parts = list(rows) if several else [rows]
    order = _seek_order(parts[0], not_null)
    if len(parts) > 1 and (not order or any(_seek_order(part, not_null) != order for part in parts)):
        raise ValueError("the parts of a list must share one order that ends with the primary key")
    cursor = _read_cursor(request, name, parts[0], order) if order else None
    if cursor:
        page, rows, has_next, has_previous = _seek(parts, order, cursor, size)
    else:
        page = _page_number(request, limit=OFFSET_PAGES if order else None)
        rows = _first(parts, order, (page - 1) * size, page * size + 1)
        has_next, rows, has_previous = len(rows) > size, rows[:size], page > 1
    query = request.GET.copy()
    for param in ("page", "cursor"):
        query.pop(param, None)
    back = _link(query, name, order, rows[:1], page - 1, backward=True) if has_previous else ""
    forward = _link(query, name, order, rows[-1:], page + 1, backward=False) if has_next else ""
    return {
        name: rows,
        "page": page,
        "has_next": has_next,
        "query": query.urlencode(),
        "previous_query": back,
        "next_query": forward,
    }


def query_after(rows, row, *, name, page):
    """The query string of the Next link that leads to page `page` of the list `name` ordered as `rows`,
    starting after `row` (the last row of the page before): what someone who paged that far holds."""
    return _link(QueryDict(mutable=True), name, _seek_order(rows), [row], page, backward=False)


def first_rows(parts, count):
    """The first `count` rows of a list made of several querysets in one order (see page_of)."""
    return _first(list(parts), _seek_order(parts[0]), 0, count)


def _first(parts, order, start, stop):
    """Rows start..stop of the list: one query per part, merged in order, each row once."""
    if len(parts) == 1:
        return list(parts[0][start:stop])
    merged = {row.pk: row for part in parts for row in part[:stop]}.values()
    return _sorted(merged, order)[start:stop]


def _sorted(rows, order):
    rows = list(rows)
    for field in reversed(order):  # stable sorts, the last key first
        path = _field(field)
        rows.sort(key=lambda row, path=path: _value(row, path), reverse=field.startswith("-"))
    return rows


def _page_number(request, *, limit):
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1
    return min(page, limit) if limit else min(page, 10_000)


def _seek(parts, order, cursor, size):
    """One query a part: the rows after (or, going back, before) the cursor's key."""
    values, page, backward = cursor
    if backward:
        order = [_flipped(field) for field in order]
    after = _after(order, values)
    rows = _first([part.filter(after).order_by(*order) for part in parts], order, 0, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if not backward:
        return page, rows, more, True
    # Back at the start: whatever the cursor said, this is page 1 and it has no Previous.
    return (page if more else 1), rows[::-1], True, more


def _after(order, values):
    """Rows strictly after `values` in `order`, nested so that each key's bound stands alone where the
    keys before it are tied: k1 ≥ v1 AND (k1 > v1 OR (k2 ≥ v2 AND (k2 > v2 OR k3 > v3))). The first
    bound is a range an index on the order can seek to; were the first key a constant of the query,
    the database would fold it away and seek on the second."""
    *heads, (last, value) = list(zip(order, values, strict=True))
    condition = _compare(last, value, strictly=True)
    for field, value in reversed(heads):
        after = _compare(field, value, strictly=True)
        condition = _compare(field, value, strictly=False) & (after | condition)
    return condition


def _compare(field, value, *, strictly):
    descending = field.startswith("-")
    lookup = ("lt" if descending else "gt") + ("" if strictly else "e")
    return Q(**{f"{_field(field)}__{lookup}": value})


def _link(query, name, order, rows, page, *, backward):
    """The query string of the Previous/Next link: a cursor from the row at that edge of this page,
    or a plain page number where there is no row (an empty page) or no key to seek by."""
    query = query.copy()
    if order and rows and page > 1:
        values = [_encoded(_value(rows[0], _field(field))) for field in order]
        payload = {"l": name, "o": order, "k": values, "p": page, "b": backward}
        query["cursor"] = signing.dumps(payload, salt=SALT, compress=True)
    elif page > 1:
        query["page"] = min(page, OFFSET_PAGES) if order else page
    return query.urlencode()


def _read_cursor(request, name, queryset, order):
    """(key values, page number, backward) from ?cursor=, or None when it is absent or not ours."""
    raw = request.GET.get("cursor")
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=SALT)
        if data["l"] != name or data["o"] != order or len(data["k"]) != len(order):
            return None
        values = [_decoded(queryset, _field(f), v) for f, v in zip(order, data["k"], strict=True)]
        page = int(data["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError, FieldDoesNotExist):
        return None
    if not 1 < page <= 10_000_000:
        return None
    return values, page, bool(data["b"])


def _seek_order(queryset, not_null=()):
    """The order as field names when the rows can be paged by key, else None (then OFFSET it is):
    every key a column or annotation that is never NULL (a NULL has no place in "after this key" that
    both databases agree on), the last one the primary key."""
    if not isinstance(queryset, QuerySet) or queryset._iterable_class is not ModelIterable:
        return None
    query = queryset.query
    order = list(query.order_by) or ([] if not query.default_ordering else list(query.model._meta.ordering))
    if not order or not all(isinstance(field, str) for field in order):
        return None
    if _field(order[-1]) not in ("pk", queryset.model._meta.pk.name):
        return None
    try:
        fields = [_sort_field(queryset, _field(field), not_null) for field in order]
    except FieldDoesNotExist:
        return None
    return order if all(field is not None for field in fields) else None


def _sort_field(queryset, path, not_null=()):
    """The field a sort key compares, or None when it may be NULL or is a relation (which Django
    would sort by the related model's own ordering)."""
    if path in queryset.query.annotations:
        field = queryset.query.annotations[path].output_field
        return None if field.null or field.is_relation else field
    model, parts = queryset.model, path.split("__")
    for part in parts[:-1]:
        relation = model._meta.get_field(part)
        if not relation.many_to_one or (relation.null and path not in not_null):
            return None
        model = relation.related_model
    field = model._meta.pk if parts[-1] == "pk" else model._meta.get_field(parts[-1])
    return None if (field.null and path not in not_null) or field.is_relation else field


def _field(ordering):
    return ordering.removeprefix("-")


def _flipped(ordering):
    return ordering[1:] if ordering.startswith("-") else f"-{ordering}"


def _value(row, path):
    for part in path.split("__"):
        row = getattr(row, part)
    return row


def _encoded(value):
    if isinstance(value, datetime.date | datetime.time | decimal.Decimal):
        return value.isoformat() if not isinstance(value, decimal.Decimal) else str(value)
    return value


def _decoded(queryset, path, value):
    """The cursor's value as the field it sorts by would hold it; invalid values raise."""
    if value is None or isinstance(value, dict | list):
        raise ValidationError("not a sort key")
    return _sort_field(queryset, path, not_null=(path,)).clean(value, None)  # the order was checked

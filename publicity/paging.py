"""Pages that never count the table: fetch one row more than a page to know if a next page exists."""

PAGE_SIZE = 25
LAST_PAGE = 10_000


def page_of(request, queryset, *, name, size=PAGE_SIZE):
    """Template context for one page: the rows under `name`, plus what includes/pagination.html needs."""
    try:
        page = max(1, min(int(request.GET.get("page", 1)), LAST_PAGE))
    except ValueError:
        page = 1
    rows = list(queryset[(page - 1) * size : page * size + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return {name: rows[:size], "page": page, "has_next": len(rows) > size, "query": query.urlencode()}

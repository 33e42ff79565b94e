"""One page of a list endpoint, the same for every router: {count, results, next, previous}, where next and
previous are whole URLs that keep the request's filters (or null at either end)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def page_url(request: HttpRequest, offset: int | None, limit: int) -> str | None:
    if offset is None:
        return None
    params = request.GET.copy()
    params["limit"], params["offset"] = str(limit), str(offset)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def page(request: HttpRequest, count: int, rows: list, limit: int, offset: int) -> dict[str, Any]:
    """`rows` are the results from `offset` on (at most `limit` of them) out of `count`."""
    following = offset + limit if offset + limit < count else None
    preceding = max(offset - limit, 0) if offset > 0 else None
    return {
        "count": count, "results": rows,
        "next": page_url(request, following, limit), "previous": page_url(request, preceding, limit),
    }

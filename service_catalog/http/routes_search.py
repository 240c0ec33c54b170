"""``GET /api/search``: hybrid search, run off the event loop."""

from __future__ import annotations

import asyncio
import functools

from aiohttp import web

from ..errors import InvalidQuery, ServiceUnavailable
from ..search.fusion import SearchMode
from ..search.index import MAX_QUERY, Filters, SearchResponse
from .params import bool_param, choice_param, int_param, lang_param
from .typedefs import CATALOGUE, EXECUTOR

__all__ = ["run_search", "setup"]


def setup(app: web.Application) -> None:
    app.router.add_get("/api/search", search)


async def run_search(request: web.Request, default_limit: int = 5) -> SearchResponse:
    """The search the query string asks for (``q``, ``lang``, ``limit``, ``mode`` and the filters),
    run off the event loop; shared by ``/api/search`` and the agent console's search.

    Raises:
        InvalidQuery: an empty or over-long ``q``, or an invalid parameter (``field`` names it).
        ServiceUnavailable: the index is still loading.
    """
    state = request.app[CATALOGUE]
    index = state.index
    if index is None:
        raise ServiceUnavailable("the search index is still loading; try again in a few seconds")
    q = request.query.get("q")
    if q is None or not q.strip():
        raise InvalidQuery("the query parameter q is missing or empty", field="q")
    if len(q) > MAX_QUERY:
        raise InvalidQuery(f"q is {len(q)} characters long; the limit is {MAX_QUERY}", field="q")
    lang = lang_param(request, allow_auto=True)
    limit = int_param(request, "limit", default_limit, 1, 50)
    raw_mode = request.query.get("mode", "hybrid")
    try:
        mode = SearchMode(raw_mode)
    except ValueError:
        raise InvalidQuery(f"mode must be hybrid, lexical or dense, got {raw_mode!r}", field="mode") from None
    cat = state.catalogue
    filters = Filters(
        audience=choice_param(request, "audience", {"individual", "enterprise"}),
        district=choice_param(request, "district", set(cat.districts)),
        event=choice_param(request, "event", set(cat.events)),
        online_only=bool_param(request, "online"),
    )
    loop = asyncio.get_running_loop()
    call = functools.partial(index.search, q, lang, limit, filters, mode)
    try:
        return await loop.run_in_executor(request.app[EXECUTOR], call)
    except ValueError as exc:
        raise InvalidQuery(str(exc), field="q") from None


async def search(request: web.Request) -> web.Response:
    return web.json_response((await run_search(request)).to_json())

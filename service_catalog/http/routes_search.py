"""``GET /api/search``: hybrid search, run off the event loop."""

from __future__ import annotations

import asyncio
import functools

from aiohttp import web

from ..errors import InvalidQuery, ServiceUnavailable
from ..search.fusion import SearchMode
from ..search.index import Filters, SearchResponse
from .params import choice_param, query_model
from .schemas import SearchQuery
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
    params = query_model(request, SearchQuery, InvalidQuery)
    cat = state.catalogue
    filters = Filters(
        audience=params.audience,
        district=choice_param(request, "district", set(cat.districts)),
        event=choice_param(request, "event", set(cat.events)),
        online_only=params.online,
    )
    loop = asyncio.get_running_loop()
    call = functools.partial(index.search, params.q, params.lang, params.limit or default_limit, filters, SearchMode(params.mode))
    try:
        return await loop.run_in_executor(request.app[EXECUTOR], call)
    except ValueError as exc:
        raise InvalidQuery(str(exc), field="q") from None


async def search(request: web.Request) -> web.Response:
    return web.json_response((await run_search(request)).to_json())

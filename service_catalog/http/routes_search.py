"""``GET /api/search``: hybrid search, run off the event loop; ``GET /api/events/{id}/checklist``: an
event's checklist (the browse menu's answer), public like search."""

from __future__ import annotations

import asyncio
import functools

from aiohttp import web

from ..errors import InvalidQuery, NotFoundError, ServiceUnavailable
from ..search.fusion import SearchMode
from ..search.index import Filters, SearchResponse
from .openapi import documented
from .params import choice_param, lang_param, query_model
from .schemas import SearchQuery
from .typedefs import CATALOGUE, EXECUTOR

__all__ = ["run_search", "setup"]


def setup(app: web.Application) -> None:
    app.router.add_get("/api/search", search)
    app.router.add_get("/api/events/{id}/checklist", checklist)


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


@documented(
    summary="An event's checklist (一件事): its services in the order they are done",
    description=(
        "The steps of a life or business event: order, service id and title, the steps that must come first (after), "
        "whether it applies to everyone (optional), a note. An event without steps lists the services tagged with it. "
        "Public, like search; no credential."
    ),
    tags=["catalogue"],
    parameters=[
        {"name": "id", "in": "path", "required": True, "description": "event id (GET /api/events)", "schema": {"type": "string"}},
        {"name": "lang", "in": "query", "required": False, "description": "zh or en (default en)", "schema": {"type": "string", "enum": ["zh", "en"]}},
    ],
    responses={
        "200": {"description": "the checklist", "content": {"application/json": {"schema": {"type": "object"}}}},
        "400": {"description": "invalid lang (field names it)", "content": {"application/json": {"schema": {"type": "object"}}}},
        "404": {"description": "no such event", "content": {"application/json": {"schema": {"type": "object"}}}},
        "503": {"description": "the index is still loading", "content": {"application/json": {"schema": {"type": "object"}}}},
    },
)
async def checklist(request: web.Request) -> web.Response:
    state = request.app[CATALOGUE]
    index = state.index
    if index is None:
        raise ServiceUnavailable("the search index is still loading; try again in a few seconds")
    lang = lang_param(request)
    event_id = request.match_info["id"]
    if event_id not in index.catalogue.events:
        raise NotFoundError(f"no event {event_id!r}; GET /api/events lists them")
    return web.json_response(index.checklist(event_id, lang))

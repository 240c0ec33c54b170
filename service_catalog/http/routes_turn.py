"""``POST /api/search/turn``: one turn of a conversation about finding a service, decided by the
catalogue service (``search/turn.py``) and answered with everything the caller needs to word it,
the service card included: one call per turn. ``POST /api/search/prepare``: the words of a turn
that is about to be searched, embedded ahead of it.

Who may call: anyone, like ``GET /api/search`` (it reads the public catalogue and stores
nothing), limited per client address; the action server calls it with the service credential
(``X-Internal-Token``), which is limited per conversation instead. The text is neither stored
nor logged.

``/api/search/prepare`` takes the service credential only (X-Internal-Token). Rasa's NLU sends it
(``bot/prepare_search.py``) as soon as it has read a message whose next action is the search turn,
while Rasa is still choosing the action and calling the action server: the search turn
that follows then finds the query's vector ready or being made, instead of spending about 9 ms of
its own on it (docs/search.md, "Speed of a search turn"). It answers at once; at most
:data:`MAX_PREPARING` texts are embedded ahead at a time, and a request beyond that is skipped
(``queued: false``): preparing never queues in front of searches.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web

from ..errors import InvalidRequest, ServiceNotFound, ServiceUnavailable
from ..search.text import detect_lang
from ..search.turn import IndexFinder, ShownItem, Turn, decide, prepare
from .auth import require_internal
from .openapi import documented
from .openapi_schema import body, ok, schema_ref
from .params import body_model
from .routes_catalog import service_json
from .schemas import ErrorBody, SearchPrepareRequest, SearchPrepareResponse, SearchTurnRequest, SearchTurnResponse
from .typedefs import CATALOGUE, EXECUTOR

__all__ = ["MAX_PREPARING", "setup"]

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
MAX_PREPARING = 2
"""Texts embedded ahead at once, per process (the query pool has two workers)."""
PREPARING: web.AppKey[set[asyncio.Future[None]]] = web.AppKey("search_preparing", set)


def setup(app: web.Application) -> None:
    app[PREPARING] = set()
    app.router.add_post("/api/search/turn", search_turn)
    app.router.add_post("/api/search/prepare", search_prepare)


_ERROR = {"description": "", "content": {"application/json": {"schema": schema_ref(ErrorBody)}}}


@documented(
    summary="One turn of finding a service: the decision and the card, in one call",
    description=(
        "The bot's (and any channel's) search turn: a step of the checklist shown done, a pick from the list shown, search, a second search "
        "filtered by the district and audience when no service stands out, the clear winner, the trimmed list, the event's checklist, and "
        "the card, all decided in the catalogue service. mode=about answers which service a follow-up, a check or an application is about. "
        "The district the conversation settles on comes back, negations handled ('Pudong, not Minhang'). Public like GET /api/search "
        "(limited per address); the action server sends X-Internal-Token (limited per conversation)."
    ),
    tags=["search"],
    requestBody=body(SearchTurnRequest),
    responses={
        "200": ok("kind, and what that kind needs: service (the card), hits, event, step and remaining, count and asked, suggestions", SearchTurnResponse),
        "400": {**_ERROR, "description": "a malformed body (field names it: text, lang, mode, shown[0].id, district, audience ...)"},
        "404": {**_ERROR, "description": "selected names no service of the catalogue (field: selected)"},
        "503": {**_ERROR, "description": "the search index is still loading"},
    },
)
async def search_turn(request: web.Request) -> web.Response:
    state = request.app[CATALOGUE]
    index = state.index
    if index is None:
        raise ServiceUnavailable("the search index is still loading; try again in a few seconds")
    checked = await body_model(request, SearchTurnRequest, MAX_BODY)
    cat = index.catalogue
    if checked.selected is not None and checked.selected not in cat.services:
        raise ServiceNotFound(f"no service with id {checked.selected[:80]!r}", field="selected")
    if checked.district is not None and checked.district not in cat.districts:
        raise InvalidRequest(f"unknown district {checked.district[:40]!r}; GET /api/districts lists them", field="district")
    turn = Turn(
        text=checked.text,
        lang=detect_lang(checked.text) if checked.lang == "auto" else checked.lang,
        shown=tuple(ShownItem(s.id, s.title or "", s.order, tuple(s.after), s.event, s.done) for s in checked.shown),
        selected=checked.selected,
        district=checked.district,
        audience=checked.audience,
        intent=checked.intent,
        mention=checked.mention,
        mode=checked.mode,
    )
    loop = asyncio.get_running_loop()
    try:
        decision = await loop.run_in_executor(request.app[EXECUTOR], decide, turn, IndexFinder(index))
    except ValueError as exc:  # a text search refuses (nothing searchable left)
        raise InvalidRequest(str(exc), field="text") from None
    service = cat.services.get(decision.service) if decision.service else None
    card = service_json(cat, service, decision.district) if service is not None else None
    return web.json_response({**decision.to_json(), "service": card})


@documented(
    summary="Embed the words of a search turn ahead of it (the bot)",
    description=(
        "Sent by the bot's NLU when it has read a message whose next action is a search turn, before Rasa asks for that turn: the query's "
        "vector is made meanwhile, and POST /api/search/turn finds it ready. Answers at once (202); skipped when two texts are already being "
        "prepared. X-Internal-Token only. The text is neither stored nor logged."
    ),
    tags=["search"],
    security=[{"internalToken": []}],
    requestBody=body(SearchPrepareRequest),
    responses={
        "202": ok("queued: whether the words are being embedded", SearchPrepareResponse),
        "400": {**_ERROR, "description": "a malformed body (field: text)"},
        "401": {**_ERROR, "description": "the service credential (X-Internal-Token) is missing or wrong"},
        "503": {**_ERROR, "description": "the search index is still loading"},
    },
)
async def search_prepare(request: web.Request) -> web.Response:
    require_internal(request)
    index = request.app[CATALOGUE].index
    if index is None:
        raise ServiceUnavailable("the search index is still loading; try again in a few seconds")
    checked = await body_model(request, SearchPrepareRequest, MAX_BODY)
    preparing = request.app[PREPARING]
    if len(preparing) >= MAX_PREPARING:
        return web.json_response({"queued": False}, status=202)
    job = asyncio.get_running_loop().run_in_executor(request.app[EXECUTOR], prepare, checked.text, index)
    preparing.add(job)
    job.add_done_callback(_prepared(preparing))
    return web.json_response({"queued": True}, status=202)


def _prepared(preparing: set[asyncio.Future[None]]) -> Callable[[asyncio.Future[None]], None]:
    def done(job: asyncio.Future[None]) -> None:
        preparing.discard(job)
        if not job.cancelled() and job.exception() is not None:  # the search turn will embed the text itself
            log.warning("preparing a search failed: %s", type(job.exception()).__name__)

    return done

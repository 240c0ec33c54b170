"""``POST /api/picks/resolve``: which item of the list a person was shown their message picks.

One policy for every channel and the agent console (``search/picks.py``): the caller sends the
message and the list it showed (ids in order, with the titles shown); the answer is the item
picked, "out of range" with the list's length, "ambiguous", or "none". The catalogue's own titles
of each id, in both languages, are matched too.

Who may call: the action server with the service credential (``X-Internal-Token``) on
``/api/picks/resolve``, and a signed-in agent on ``/agent/api/picks/resolve`` (the console's
session cookie is scoped to ``/agent``). Resolving changes nothing, so no CSRF token is asked.
The message is neither stored nor logged.
"""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field

from ..search.picks import Shown, resolve_pick
from .agent_auth import require_agent
from .auth import require_internal
from .openapi import documented
from .openapi_schema import body, ok, schema_ref
from .params import body_model
from .schemas import ErrorBody, Response
from .typedefs import CATALOGUE

__all__ = ["PickRequest", "PickResponse", "setup"]

MAX_BODY = 64 * 1024
MAX_SHOWN = 100


class ShownItem(BaseModel):
    """One item of the list as it was shown."""

    id: str = Field(min_length=1, max_length=80, description="the service id")
    title: str | None = Field(None, max_length=300, description="the title as shown (the catalogue's titles are matched too)")


class PickRequest(BaseModel):
    """The person's message and the list they were shown, in the order shown."""

    text: str = Field(min_length=1, max_length=500, description="what the person typed")
    lang: Literal["zh", "en"] | None = Field(None, description="the conversation's language (titles of both languages are matched)")
    shown: list[ShownItem] = Field(min_length=1, max_length=MAX_SHOWN, description="the list shown, first item first")


class PickResponse(Response):
    """What the message picks."""

    kind: Literal["picked", "out_of_range", "ambiguous", "none"] = Field(
        description="picked: id and position are set; out_of_range: a place beyond the list (asked); ambiguous: candidates fit equally; none: no pick"
    )
    count: int = Field(description="how many items the list has")
    id: str | None = None
    position: int | None = Field(None, description="the 1-based place of the item picked")
    by: Literal["place", "last", "title"] | None = Field(None, description="how it was picked: by place, counted from the end, or by title")
    asked: int | None = Field(None, description="the place asked for, when out of range")
    candidates: list[str] | None = Field(None, description="the ids that fit equally well, when ambiguous")


def setup(app: web.Application) -> None:
    app.router.add_post("/api/picks/resolve", resolve_for_assistant)
    app.router.add_post("/agent/api/picks/resolve", resolve_for_agent)


async def _resolve(request: web.Request) -> web.Response:
    checked = await body_model(request, PickRequest, MAX_BODY)
    services = request.app[CATALOGUE].catalogue.services
    shown = []
    for item in checked.shown:
        known = services.get(item.id)
        titles = ([item.title] if item.title else []) + ([known.title.zh, known.title.en] if known is not None else [])
        shown.append(Shown(item.id, tuple(dict.fromkeys(t for t in titles if t))))
    return web.json_response(resolve_pick(checked.text, shown).to_json())


_ERROR = {"description": "", "content": {"application/json": {"schema": schema_ref(ErrorBody)}}}
_RESPONSES = {
    "200": ok("the pick: kind, count, and id/position/by, asked or candidates", PickResponse),
    "400": {**_ERROR, "description": "a malformed body (field names it: text, lang, shown, shown[0].id ...)"},
}


@documented(
    summary='Resolve a pick ("number 5", "the last one", 第七个, a title) against the list shown',
    description="The action server's call (X-Internal-Token). One policy for every channel: places without an upper limit, from the end, titles with typos.",
    tags=["search"],
    security=[{"internalToken": []}],
    requestBody=body(PickRequest),
    responses={**_RESPONSES, "401": {**_ERROR, "description": "the service credential (X-Internal-Token) is missing or wrong"}},
)
async def resolve_for_assistant(request: web.Request) -> web.Response:
    require_internal(request)
    return await _resolve(request)


@documented(
    summary="Resolve a pick against the list shown (agent console)",
    description="The same resolution as POST /api/picks/resolve, for a signed-in agent (agent or supervisor; no CSRF token: it changes nothing).",
    tags=["agent"],
    security=[{"agentSession": []}],
    requestBody=body(PickRequest),
    responses={**_RESPONSES, "401": {**_ERROR, "description": "no console session, or it has ended"}},
)
async def resolve_for_agent(request: web.Request) -> web.Response:
    await require_agent(request)
    return await _resolve(request)

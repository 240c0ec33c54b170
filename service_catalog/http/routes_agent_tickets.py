"""The agent console's handoff inbox: the queue, one ticket, take / reply / resolve, and the live events.

Taking a ticket pauses the bot in that conversation through Rasa's HTTP API (a ``pause`` event,
Rasa's ``ConversationPaused``) and tells the citizen a person has joined; a reply is a ``bot`` event
delivered on the citizen's own channel (``output_channel=latest&execute_side_effects=true``);
resolving sends a closing message, appends ``resume`` and closes the ticket. ``GET
/agent/api/events`` streams new tickets and the citizens' messages (server-sent events, fed by
``console.live``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from aiohttp_sse import sse_response

from ..console.live import Hub, citizen_messages, epoch_of, watch
from ..console.rasa import RasaClient
from ..console.sms import make_gateway
from ..errors import Conflict, InvalidRequest, NotFoundError, ServiceUnavailable, Unauthorized
from .agent_auth import NO_STORE, AgentSession, require_agent
from .params import json_body
from .typedefs import CATALOGUE, DATABASE, RASA, SETTINGS, SMS, TICKET_EVENTS

if TYPE_CHECKING:
    from ..db import Database, Ticket

__all__ = ["CLOSING", "JOINED", "setup"]

MAX_REPLY = 2000
RECHECK_SESSION_S = 30.0  # an open event stream re-checks its session this often (logout, expiry)
JOINED = {
    "zh": "您好，12345热线工作人员已接入，接下来由人工为您服务。",
    "en": "Hello, a 12345 hotline agent has joined and will help you from here.",
}
CLOSING = {
    "zh": "本次人工服务已结束，感谢您的耐心。如还有其他问题，可以继续问我。",
    "en": "The agent has finished helping you. Thank you for your patience; you can keep asking me questions.",
}


def setup(app: web.Application) -> None:
    app[TICKET_EVENTS] = Hub()
    app.cleanup_ctx.append(console_clients)
    app.on_shutdown.append(_close_streams)
    app.router.add_get("/agent/api/tickets", list_tickets)
    app.router.add_get("/agent/api/tickets/{number}", get_ticket)
    app.router.add_post("/agent/api/tickets/{number}/take", take)
    app.router.add_post("/agent/api/tickets/{number}/reply", reply)
    app.router.add_post("/agent/api/tickets/{number}/resolve", resolve)
    app.router.add_get("/agent/api/events", events)


async def console_clients(app: web.Application) -> AsyncIterator[None]:
    """One HTTP client for Rasa and the SMS gateway, and the watcher of taken conversations."""
    settings = app[SETTINGS]
    session = aiohttp.ClientSession()
    rasa = RasaClient(settings.rasa_api_url or settings.rasa_url, settings.rasa_auth_token, session)
    app[RASA] = rasa
    app[SMS] = make_gateway(settings.sms_url, settings.sms_token, session)
    db = app[DATABASE]
    task = asyncio.create_task(watch(app[TICKET_EVENTS], db.taken_tickets, rasa.events))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await session.close()


async def _close_streams(app: web.Application) -> None:
    app[TICKET_EVENTS].close()


def _db(request: web.Request) -> Database:
    return request.app[DATABASE]


def queue_item(ticket: Ticket, positions: dict[str, int]) -> dict[str, Any]:
    """A ticket as the inbox lists it."""
    return {
        "number": ticket.number,
        "conversation_id": ticket.conversation_id,
        "channel": ticket.channel,
        "language": ticket.lang,
        "summary": ticket.summary,
        "service_id": ticket.service_id,
        "created_at": ticket.created_at,
        "status": ticket.status,
        "agent": ticket.agent,
        "taken_at": ticket.taken_at,
        "position": positions.get(ticket.number, 0),
        "subject": ticket.subject,
    }


async def _queue(db: Database) -> list[dict[str, Any]]:
    positions = await db.queue_positions()
    return [queue_item(t, positions) for t in await db.open_tickets()]


async def list_tickets(request: web.Request) -> web.Response:
    """Open tickets oldest first (the queue), or the 50 most recently created closed ones."""
    await require_agent(request)
    status = request.query.get("status") or "open"
    if status not in {"open", "closed"}:
        raise InvalidRequest(f"status must be open or closed, got {status!r}", field="status")
    db = _db(request)
    if status == "open":
        items = await _queue(db)
    else:
        _, closed = await db.list_tickets("closed", 50, 0)
        items = [queue_item(t, {}) for t in closed]
    return web.json_response({"items": items}, headers=NO_STORE)


async def _ticket(request: web.Request) -> Ticket:
    number = request.match_info["number"][:40]
    ticket = await _db(request).get_ticket(number)
    if ticket is None:
        raise NotFoundError(f"no ticket numbered {number!r}", field="number")
    return ticket


async def get_ticket(request: web.Request) -> web.Response:
    """One ticket with the bot's transcript, the answers, and the citizen's messages since it was taken."""
    session = await require_agent(request)
    ticket = await _ticket(request)
    body = {**queue_item(ticket, await _db(request).queue_positions()), "transcript": ticket.transcript, "answers": ticket.answers}
    service = request.app[CATALOGUE].catalogue.services.get(ticket.service_id or "")
    body["service_title"] = service.title.get(ticket.lang) if service else None
    body["messages"] = []
    if ticket.status == "open" and ticket.agent and ticket.conversation_id and request.app[RASA].enabled:
        with contextlib.suppress(ServiceUnavailable):
            body["messages"] = citizen_messages(await request.app[RASA].events(ticket.conversation_id), epoch_of(ticket.taken_at))
    await _db(request).audit(
        "agent_ticket", outcome="viewed", channel=ticket.channel, service_id=ticket.service_id, detail={"agent": session.agent, "ticket": ticket.number}
    )
    return web.json_response(body, headers=NO_STORE)


def _mine(ticket: Ticket, session: AgentSession) -> None:
    if ticket.status != "open":
        raise Conflict(f"ticket {ticket.number} is closed", field="number")
    if ticket.agent != session.agent and not session.supervisor:
        who = f"taken by {ticket.agent}" if ticket.agent else "not taken yet"
        raise Conflict(f"ticket {ticket.number} is {who}: take it first", field="number")


async def _published(request: web.Request, ticket: Ticket) -> dict[str, Any]:
    item = queue_item(ticket, await _db(request).queue_positions())
    request.app[TICKET_EVENTS].publish("ticket", item)
    return item


async def take(request: web.Request) -> web.Response:
    """Take a ticket: the bot pauses in that conversation and the citizen is told a person has joined."""
    session = await require_agent(request, state_changing=True)
    number = request.match_info["number"][:40]
    db = _db(request)
    result, ticket = await db.take_ticket(number, session.agent, override=session.supervisor)
    if ticket is None:
        raise NotFoundError(f"no ticket numbered {number!r}", field="number")
    if result != "ok":
        raise Conflict(f"ticket {number} is {'closed' if result == 'closed' else f'taken by {ticket.agent}'}", field="number")
    if ticket.conversation_id:
        try:
            await request.app[RASA].append(ticket.conversation_id, [{"event": "pause"}, {"event": "bot", "text": JOINED[ticket.lang]}])
        except ServiceUnavailable:
            await db.release_ticket(number, session.agent)
            raise
    await db.audit("agent_ticket", outcome="taken", channel=ticket.channel, service_id=ticket.service_id, detail={"agent": session.agent, "ticket": number})
    return web.json_response({**(await _published(request, ticket)), "paused": bool(ticket.conversation_id)}, headers=NO_STORE)


async def reply(request: web.Request) -> web.Response:
    """Write to the citizen on their own channel: body ``{text}`` (1-2,000 characters)."""
    session = await require_agent(request, state_changing=True)
    ticket = await _ticket(request)
    body = await json_body(request, 16 * 1024)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_REPLY:
        raise InvalidRequest(f"text must be 1-{MAX_REPLY} characters", field="text")
    _mine(ticket, session)
    if not ticket.conversation_id:
        raise Conflict(f"ticket {ticket.number} came from no conversation the assistant can write into: call the citizen", field="number")
    await request.app[RASA].append(ticket.conversation_id, [{"event": "bot", "text": text.strip(), "metadata": {"agent": session.agent}}])
    detail = {"agent": session.agent, "ticket": ticket.number, "chars": len(text)}
    await _db(request).audit("agent_ticket", outcome="replied", channel=ticket.channel, service_id=ticket.service_id, detail=detail)
    return web.json_response({"sent": True, "number": ticket.number, "channel": ticket.channel}, headers=NO_STORE)


async def resolve(request: web.Request) -> web.Response:
    """Close the ticket: a closing message, then the bot answers the conversation again."""
    session = await require_agent(request, state_changing=True)
    ticket = await _ticket(request)
    _mine(ticket, session)
    if ticket.conversation_id:
        await request.app[RASA].append(ticket.conversation_id, [{"event": "bot", "text": CLOSING[ticket.lang]}, {"event": "resume"}])
    result, closed = await _db(request).close_ticket(ticket.number, session.agent, override=session.supervisor)
    if result != "ok" or closed is None:
        raise Conflict(f"ticket {ticket.number} was closed or taken by someone else meanwhile", field="number")
    await _db(request).audit(
        "agent_ticket", outcome="resolved", channel=ticket.channel, service_id=ticket.service_id, detail={"agent": session.agent, "ticket": ticket.number}
    )
    return web.json_response({**(await _published(request, closed)), "resumed": bool(ticket.conversation_id)}, headers=NO_STORE)


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: ``snapshot`` (the open queue) first, then ``ticket`` and ``message`` as they happen."""
    await require_agent(request)
    hub = request.app[TICKET_EVENTS]
    headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    async with sse_response(request, headers=headers) as stream, hub.subscribe() as queue:
        await stream.send(json.dumps({"items": await _queue(_db(request))}, ensure_ascii=False), event="snapshot")
        while stream.is_connected():
            try:
                item = await asyncio.wait_for(queue.get(), RECHECK_SESSION_S)
            except TimeoutError:
                try:
                    await require_agent(request)
                except Unauthorized:
                    break
                continue
            if item is None:
                break
            kind, data = item
            await stream.send(json.dumps(data, ensure_ascii=False), event=kind)
    return stream

"""The agent console's lookup API: the session, search, a service in full with a ready answer,
eligibility for a caller, and sending the pre-filled application link (SMS or the caller's chat).

Every route needs a signed-in agent (``agent_auth.require_agent``); the POSTs also need the
session's CSRF token. Every call is audited with the agent's name. Tickets and the live inbox
are in ``routes_agent_tickets.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..console.answer import ready_answer
from ..console.sms import mask_phone, normalise_phone
from ..errors import Conflict, InvalidRequest, NotFoundError, ServiceNotFound
from ..handoff import refer
from ..search.turn import clear_winner, trimmed
from .agent_auth import NO_STORE, require_agent
from .params import MAX_BODY, json_body
from .routes_eligibility import assess_json
from .routes_handoff import mint_application_link
from .routes_search import run_search
from .typedefs import CATALOGUE, DATABASE, RASA, SMS

if TYPE_CHECKING:
    from ..catalogue import Catalogue
    from ..db import Database

__all__ = ["LINK_TEXT", "setup"]

LINK_TEXT = {
    "zh": "【一网通办】12345热线为您发送的申请链接（已带入您的回答，只能打开一次，{minutes}分钟内有效）：{url}",
    "en": "Your application link from the 12345 hotline (your answers are filled in; it opens once and works for {minutes} minutes): {url}",
}


def setup(app: web.Application) -> None:
    app.router.add_get("/agent/api/session", session_info)
    app.router.add_get("/agent/api/search", search)
    app.router.add_get("/agent/api/services/{id}", service_detail)
    app.router.add_post("/agent/api/services/{id}/eligibility", eligibility)
    app.router.add_post("/agent/api/send-link", send_link)


def _db(request: web.Request) -> Database:
    return request.app[DATABASE]


def _catalogue(request: web.Request) -> Catalogue:
    return request.app[CATALOGUE].catalogue


def _lang(value: str | None, field: str = "lang") -> str:
    """The caller's language: ``zh`` (the default on the hotline) or ``en``."""
    if value in (None, ""):
        return "zh"
    if value not in {"zh", "en"}:
        raise InvalidRequest(f"lang must be zh or en, got {value!r}", field=field)
    return str(value)


async def session_info(request: web.Request) -> web.Response:
    """Who is signed in, and the CSRF token to send with state-changing calls."""
    session = await require_agent(request)
    return web.json_response({"agent": session.agent, "role": session.role, "csrf_token": session.csrf_token}, headers=NO_STORE)


async def search(request: web.Request) -> web.Response:
    """Search as the agent types: ``{query, lang, confident, results: [{id, title, summary, score}], suggestions, best, offered}``.

    ``best`` and ``offered`` are the assistant's own decision on the same words (``search/turn.py``):
    the service it would show at once, and the services it would offer, so the agent sees what the
    citizen was told.
    """
    session = await require_agent(request)
    found = await run_search(request, default_limit=8)
    cat = _catalogue(request)

    def hit(h: Any) -> dict[str, Any]:
        service = cat.services.get(h.id)
        summary = service.summary.get(found.lang) if service else ""
        return {"id": h.id, "title": h.title, "summary": summary, "score": round(h.score, 4)}

    body = {
        "query": found.query,
        "lang": found.lang,
        "confident": found.confident,
        "results": [hit(h) for h in found.results],
        "suggestions": [hit(h) for h in found.suggestions],
        "best": clear_winner(found),
        "offered": [h.id for h in trimmed(found.results)] if found.confident else [],
    }
    await _db(request).audit(
        "agent_search", outcome="ok", channel="hotline", detail={"agent": session.agent, "q": found.query[:100], "results": len(found.results)}
    )
    return web.json_response(body, headers=NO_STORE)


async def service_detail(request: web.Request) -> web.Response:
    """The service in full for reading to a caller, centres in their district first, and a ready answer."""
    session = await require_agent(request)
    cat = _catalogue(request)
    service_id = request.match_info["id"]
    service = cat.services.get(service_id)
    if service is None:
        raise ServiceNotFound(f"no service with id {service_id[:80]!r}", field="id")
    lang = _lang(request.query.get("lang"))
    district = request.query.get("district") or None
    if district is not None and district not in cat.districts:
        raise InvalidRequest(f"unknown district {district!r}; valid: {', '.join(sorted(cat.districts))}", field="district")
    referral = refer(cat, service, district)
    centres = [
        {
            "id": c.id,
            "name": c.name.get(lang),
            "address": c.address.get(lang),
            "hours": c.hours.get(lang),
            "phone": c.phone,
            "district": {"id": d.id, "name": d.name.get(lang)},
            "distance_km": km,
        }
        for d, c, km in referral.centres
    ]
    cost = service.cost
    body = {
        "id": service.id,
        "lang": lang,
        "title": service.title.get(lang),
        "summary": service.summary.get(lang),
        "description": service.description.get(lang),
        "competent_authority": service.competent_authority.get(lang) if service.competent_authority else None,
        "documents": [d.get(lang) for d in service.documents],
        "cost": {"free": cost.free, "amount_cny": cost.amount_cny, "note": cost.note.get(lang) if cost.note else None} if cost else None,
        "processing_days": service.processing_days,
        "legal_basis": service.legal_basis.get(lang) if service.legal_basis else None,
        "online_url": service.channels.online_url,
        "hotline": service.channels.hotline,
        "district": {"id": district, "name": cat.districts[district].name.get(lang)} if district else None,
        "in_district": referral.in_district,
        "centres": centres,
        "has_eligibility": service.eligibility is not None,
        "answer": ready_answer(service, [(d, c) for d, c, _ in referral.centres], lang),
        "districts": [{"id": d.id, "name": d.name.get(lang)} for d in cat.districts.values()],
    }
    await _db(request).audit("agent_service", outcome="ok", channel="hotline", service_id=service.id, detail={"agent": session.agent, "district": district})
    return web.json_response(body, headers=NO_STORE)


async def eligibility(request: web.Request) -> web.Response:
    """The eligibility engine for a caller, or for whom they ask: body ``{answers, lang, subject?}``, as ``POST /api/services/{id}/eligibility``."""
    session = await require_agent(request, state_changing=True)
    cat = _catalogue(request)
    service_id = request.match_info["id"]
    service = cat.services.get(service_id)
    if service is None:
        raise ServiceNotFound(f"no service with id {service_id[:80]!r}", field="id")
    body = await json_body(request, MAX_BODY)
    result = assess_json(cat, service, body)
    detail = {"agent": session.agent, "questions": sorted(str(k) for k in (body.get("answers") or {}))[:50]}
    if (result.get("subject") or {}).get("relation"):
        detail["subject"] = result["subject"]["relation"]  # for whom the caller asked (a relation, not personal data)
    await _db(request).audit("agent_eligibility", outcome=str(result.get("status")), channel="hotline", service_id=service.id, detail=detail)
    return web.json_response(result, headers=NO_STORE)


async def send_link(request: web.Request) -> web.Response:
    """Mint the pre-filled application link and send it by SMS (``phone``) or into the caller's chat (``ticket``).

    Body: ``{service_id, answers, lang, consent: true, phone | ticket}``.
    """
    session = await require_agent(request, state_changing=True)
    body = await json_body(request, MAX_BODY)
    phone_raw, number = body.get("phone"), body.get("ticket")
    if (phone_raw is None) == (number is None):
        raise InvalidRequest("give either phone (send by SMS) or ticket (send into the caller's chat)", field="phone")
    lang = _lang(body.get("lang"))
    body["lang"] = lang
    if phone_raw is not None:
        phone = normalise_phone(phone_raw)
        link = await mint_application_link(request.app, body, "hotline", audit={"agent": session.agent, "via": "sms"})
        text = LINK_TEXT[lang].format(url=link["url"], minutes=max(1, link["expires_in"] // 60))
        message_id = await request.app[SMS].send(phone, text)
        to, via, channel = mask_phone(phone), "sms", "hotline"
    else:
        if not isinstance(number, str) or len(number) > 40:
            raise InvalidRequest("ticket must be a ticket number such as T20261201-0001", field="ticket")
        ticket = await _db(request).get_ticket(number)
        if ticket is None:
            raise NotFoundError(f"no ticket numbered {number!r}", field="ticket")
        if ticket.status != "open" or not ticket.conversation_id or (ticket.agent != session.agent and not session.supervisor):
            raise Conflict("the link goes into a chat only for an open ticket you have taken that came from a conversation", field="ticket")
        link = await mint_application_link(request.app, body, ticket.channel, audit={"agent": session.agent, "via": "chat", "ticket": number})
        text = LINK_TEXT[lang].format(url=link["url"], minutes=max(1, link["expires_in"] // 60))
        await request.app[RASA].append(ticket.conversation_id, [{"event": "bot", "text": text, "metadata": {"agent": session.agent}}])
        message_id, to, via, channel = "", number, "chat", ticket.channel
    detail = {"agent": session.agent, "via": via, "to": to, "message_id": message_id}
    await _db(request).audit("agent_link", outcome="sent", channel=channel, service_id=link["service_id"], detail=detail)
    return web.json_response({"sent": True, "via": via, "to": to, "service_id": link["service_id"], "expires_in": link["expires_in"]}, headers=NO_STORE)

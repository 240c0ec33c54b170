"""Handoff routes: the signed application link and its reference portal receiver, the JWKS,
tickets for the agent console, service-centre referrals, and signing-key rotation.

Why this module is long: every handoff to outside the conversation (a pre-filled link, a person, a
service centre) shares the same request checks, credential and audit helpers; split per handoff,
each piece would import the others' helpers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web
from pydantic import ValidationError

from ..eligibility import SELF, coerce_answers, person
from ..errors import InvalidRequest, NotFoundError, ServiceNotFound
from ..handoff import (
    TokenError,
    TokenExpired,
    TokenInvalid,
    TokenReplayed,
    TokenWrongService,
    application_page,
    clean_transcript,
    open_page,
    refer,
    rejection_page,
    summarise,
)
from ..privacy import mask_obj
from .auth import require_internal, require_portal, require_scope
from .params import body_lang, body_model, json_body, lang_param, query_model, refusal
from .routes_agent_tickets import queue_item
from .schemas import ApplicationLinkRequest, RedeemRequest, TicketRequest, TicketsQuery
from .typedefs import CATALOGUE, DATABASE, SETTINGS, SIGNER, TICKET_EVENTS

if TYPE_CHECKING:
    from ..catalogue import Catalogue
    from ..db import Database
    from ..handoff import Signer

__all__ = ["mint_application_link", "setup"]

MAX_APPLICATION_BODY = 64 * 1024
MAX_TICKET_BODY = 256 * 1024  # the app's client_max_size
MAX_ANSWERS = 100
MAX_TEXT = 500
MAX_SERVICE_ID = 80
HOTLINE = "12345"
CHANNEL = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
NO_STORE = {"Cache-Control": "no-store"}
HANDLE_BYTES = 24  # 192 random bits
HANDLE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_CONVERSATION_ID = 128


def setup(app: web.Application) -> None:
    app.router.add_post("/api/handoff/application", application_link)
    app.router.add_post("/api/handoff/redeem", redeem_handle)
    app.router.add_get("/.well-known/jwks.json", jwks)
    app.router.add_get("/portal/apply/{service_id}", portal_open)
    app.router.add_post("/portal/apply/{service_id}", portal_apply)
    app.router.add_post("/api/tickets", create_ticket)
    app.router.add_get("/api/tickets", list_tickets)
    app.router.add_get("/api/tickets/{number}", get_ticket)
    app.router.add_get("/api/services/{id}/centre", centre_referral)
    app.router.add_post("/admin/rotate-key", rotate_key)


def _db(request: web.Request) -> Database:
    return request.app[DATABASE]


def _signer(request: web.Request) -> Signer:
    return request.app[SIGNER]


def _catalogue(request: web.Request) -> Catalogue:
    return request.app[CATALOGUE].catalogue


def _channel(value: Any) -> str:
    if value is None or value == "":
        return "unknown"
    if not isinstance(value, str) or not CHANNEL.match(value):
        raise InvalidRequest("channel must be a channel name such as web, rest or hotline (letters, digits, _ . -; at most 40)", field="channel")
    return value


def _service_id(body: dict[str, Any], required: bool) -> str | None:
    value = body.get("service_id")
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_SERVICE_ID:
        raise InvalidRequest(f"service_id must be a service id of at most {MAX_SERVICE_ID} characters", field="service_id")
    return value


def _raw_answers(body: dict[str, Any]) -> dict[str, Any]:
    raw = body.get("answers")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidRequest("answers must be an object of question id to value", field="answers")
    if len(raw) > MAX_ANSWERS:
        raise InvalidRequest(f"at most {MAX_ANSWERS} answers are accepted, got {len(raw)}", field="answers")
    for qid, value in raw.items():
        if len(qid) > MAX_SERVICE_ID:
            raise InvalidRequest(f"the question id {qid[:20]!r}... is too long", field="answers")
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise InvalidRequest(f"the answer to {qid} is longer than {MAX_TEXT} characters", field=f"answers.{qid}")
        if isinstance(value, (dict, list)):
            raise InvalidRequest(f"the answer to {qid} must be a single value", field=f"answers.{qid}")
    return raw


# -- the application link and its receiver ---------------------------------------------------


async def application_link(request: web.Request) -> web.Response:
    """Make a short-lived, single-use link to the application, behind which the signed token
    with the consented answers waits (service credential).

    The link carries only an opaque handle, so no proxy, access log or link preview ever sees
    the answers; the portal redeems the handle once (the reference receiver in-process, another
    portal over ``POST /api/handoff/redeem``).
    """
    require_internal(request)
    body = await json_body(request, MAX_APPLICATION_BODY)
    link = await mint_application_link(request.app, body, _channel(body.get("channel")))
    return web.json_response(link, headers=NO_STORE)


async def mint_application_link(app: web.Application, body: dict[str, Any], channel: str, audit: dict[str, Any] | None = None) -> dict[str, Any]:
    """Mint an application link from ``{service_id, answers, lang, consent: true}``: ``{url, expires_in, service_id}``.

    Shared by the action server's route and the agent console; ``audit`` adds to the audit record
    (the agent's name).

    Raises:
        InvalidRequest: no explicit consent, or a malformed field; ServiceNotFound; InvalidAnswer.
    """
    try:
        checked = ApplicationLinkRequest.model_validate(body)
    except ValidationError as exc:
        raise refusal(exc, "body") from None
    cat = app[CATALOGUE].catalogue
    service_id, lang = checked.service_id, checked.lang
    if service_id not in cat.services:
        raise ServiceNotFound(f"no service with id {service_id!r}", field="service_id")
    coerced = coerce_answers(cat.questions, checked.answers)  # InvalidAnswer (400) names the question
    answers = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in coerced.items() if v is not None}
    signer = app[SIGNER]
    subject = None if checked.subject in (None, SELF) else checked.subject
    token, jti, expires = signer.issue(service_id, answers, lang, channel, on_behalf_of=subject)
    handle = secrets.token_urlsafe(HANDLE_BYTES)
    db = app[DATABASE]
    await db.record_token(jti, service_id, expires - signer.ttl, expires)
    await db.store_handle(handle_digest(handle), jti, service_id, token, expires)
    detail = {"jti": jti, "questions": sorted(answers), "expires_at": expires, **({"on_behalf_of": subject} if subject else {}), **(audit or {})}
    await db.audit("application_link", outcome="issued", channel=channel, service_id=service_id, detail=detail)
    url = f"{app[SETTINGS].portal_url.rstrip('/')}/{quote(service_id, safe='')}?h={handle}"
    return {"url": url, "expires_in": signer.ttl, "service_id": service_id}


def handle_digest(handle: str) -> str:
    """What the database keeps of a handle: its SHA-256, so a copy of the database opens no link."""
    return hashlib.sha256(handle.encode("utf-8", "replace")).hexdigest()


_HANDLE_ERRORS: dict[str, type[TokenError]] = {"unknown": TokenInvalid, "expired": TokenExpired, "wrong_service": TokenWrongService, "used": TokenReplayed}
_HANDLE_MESSAGES = {
    "unknown": "no such link",
    "expired": "the link has expired",
    "wrong_service": "the link was made for another service",
    "used": "the link has already been used",
}


def _handle_param(value: Any) -> str:
    if not isinstance(value, str) or not HANDLE.match(value):
        raise TokenInvalid("the link is incomplete")
    return value


async def _redeem(request: web.Request, handle: Any, service_id: str) -> tuple[dict[str, Any], str]:
    """Use the handle up and verify the token behind it: ``(claims, token)``, or a TokenError.

    A handle made for another service is refused before anything is used up, so a link opened
    on the wrong page (or a portal asking for the wrong service) still works where it belongs.
    """
    db = _db(request)
    status, token = await db.take_handle(handle_digest(_handle_param(handle)), int(time.time()), service_id=service_id)
    if status != "ok":
        raise _HANDLE_ERRORS[status](_HANDLE_MESSAGES[status])
    return await _signer(request).redeem(token, service_id, db), token


async def _refused(request: web.Request, service_id: str, exc: TokenError | ServiceNotFound) -> None:
    # The reason only: the handle and the token never reach a log or the audit table.
    await _db(request).audit("token_rejected", outcome=exc.code, service_id=service_id[:MAX_SERVICE_ID], detail={"reason": exc.code, "message": exc.message})


async def _redeemed(request: web.Request, service_id: str, claims: dict[str, Any]) -> None:
    await _db(request).audit(
        "token_redeemed",
        outcome="ok",
        channel=str(claims.get("channel") or "unknown"),
        service_id=service_id,
        detail={"jti": claims["jti"], "questions": sorted(claims.get("answers") or {})},
    )


async def redeem_handle(request: web.Request) -> web.Response:
    """The portal's back channel: redeem a link's handle once for the signed token and its claims."""
    await require_portal(request)
    checked = await body_model(request, RedeemRequest, 4096)
    service_id = checked.service_id
    try:
        claims, token = await _redeem(request, checked.handle, service_id)
    except TokenError as exc:
        await _refused(request, service_id, exc)
        raise
    await _redeemed(request, service_id, claims)
    keys = ("service_id", "answers", "lang", "channel", "jti", "iat", "exp")
    for_whom = {"on_behalf_of": claims["on_behalf_of"]} if claims.get("on_behalf_of") else {}  # answers about someone else
    return web.json_response({**{k: claims.get(k) for k in keys}, **for_whom, "token": token}, headers=NO_STORE)


async def jwks(request: web.Request) -> web.Response:
    """The public keys that verify handoff tokens."""
    return web.json_response(_signer(request).jwks(), headers={"Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*"})


def _html(page: str, status: int) -> web.Response:
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8", headers=NO_STORE)


async def portal_open(request: web.Request) -> web.Response:
    """The reference portal receiver, GET (and HEAD): a page with one button that opens the form.

    Link checkers and chat apps' link previews fetch the link with GET or HEAD; neither uses the
    handle up. The button POSTs the handle back here, which redeems it (``portal_apply``).
    """
    service_id = request.match_info["service_id"]
    service = _catalogue(request).services.get(service_id)
    handle = request.query.get("h", "")
    try:
        if service is None:
            raise ServiceNotFound(f"no service with id {service_id!r}")
        status = await _db(request).peek_handle(handle_digest(_handle_param(handle)), int(time.time()), service_id=service_id)
        if status != "ok":
            raise _HANDLE_ERRORS[status](_HANDLE_MESSAGES[status])
    except (TokenError, ServiceNotFound) as exc:
        return _html(rejection_page(exc.code), exc.status)
    return _html(open_page(service, handle), 200)


async def portal_apply(request: web.Request) -> web.Response:
    """The reference portal receiver, POST: redeem the handle once and show the pre-filled form."""
    service_id = request.match_info["service_id"]
    cat = _catalogue(request)
    service = cat.services.get(service_id)
    form = await request.post()
    try:
        if service is None:
            raise ServiceNotFound(f"no service with id {service_id!r}")
        claims, _ = await _redeem(request, str(form.get("h", "")), service_id)
    except (TokenError, ServiceNotFound) as exc:
        await _refused(request, service_id, exc)
        return _html(rejection_page(exc.code), exc.status)
    await _redeemed(request, service_id, claims)
    return _html(application_page(service, cat.questions, claims), 200)


# -- tickets ---------------------------------------------------------------------------------


async def create_ticket(request: web.Request) -> web.Response:
    """Queue a conversation for a person: transcript, summary, the citizen's answers (service credential).

    The conversation is named by ``X-Conversation-Id``; while it has an open ticket, that ticket is
    answered again (200) instead of a new one (201). Either way the answer says the citizen's place
    in the queue (``position``, 1 is next; 0 once an agent has taken it).
    """
    require_internal(request)
    body = await json_body(request, MAX_TICKET_BODY)
    try:
        TicketRequest.model_validate(body)  # the documented shape; clean_transcript then trims it
    except ValidationError as exc:
        raise refusal(exc, "body") from None
    transcript = mask_obj(clean_transcript(body.get("transcript")))  # stored masked: agents see 138****5678
    lang, channel = body_lang(body), _channel(body.get("channel"))
    service_id = _service_id(body, required=False)
    answers = mask_obj(_raw_answers(body))
    given = body.get("summary")
    if given is not None and not isinstance(given, str):
        raise InvalidRequest("summary must be a string", field="summary")
    conversation = request.headers.get("X-Conversation-Id", "").strip()[:MAX_CONVERSATION_ID] or None
    service = _catalogue(request).services.get(service_id) if service_id else None
    checked_subject = body.get("subject")
    subject = None if checked_subject in (None, SELF) else str(checked_subject)
    summary = summarise(transcript, service.title.get(lang) if service else None, given, person(subject, lang), lang)
    db = _db(request)
    ticket, created = await db.open_ticket(  # subject: a field of the ticket, which the console shows
        lang=lang,
        channel=channel,
        summary=summary,
        transcript=transcript,
        answers=answers,
        service_id=service_id,
        conversation_id=conversation,
        subject=subject,
    )
    position = (await db.queue_positions()).get(ticket.number, 0)
    if created:
        await db.audit("ticket_created", outcome="open", channel=channel, service_id=service_id, detail={"ticket": ticket.number, "entries": len(transcript)})
        if TICKET_EVENTS in request.app:
            request.app[TICKET_EVENTS].publish("ticket", queue_item(ticket, {ticket.number: position}))
    body_out = {"ticket": ticket.number, "hotline": HOTLINE, "status": ticket.status, "position": position, "created": created}
    return web.json_response(body_out, status=201 if created else 200)


async def list_tickets(request: web.Request) -> web.Response:
    """The ticket queue for the agent console, newest first (admin ``read`` scope)."""
    await require_scope(request, "read")
    params = query_model(request, TicketsQuery)
    status, page, per_page = params.status, params.page, params.per_page
    total, tickets = await _db(request).list_tickets(status, per_page, (page - 1) * per_page)
    return web.json_response({"total": total, "page": page, "per_page": per_page, "items": [t.to_json(full=False) for t in tickets]})


async def get_ticket(request: web.Request) -> web.Response:
    """One ticket with its transcript and answers (admin ``read`` scope)."""
    await require_scope(request, "read")
    number = request.match_info["number"]
    ticket = await _db(request).get_ticket(number[:40])
    if ticket is None:
        raise NotFoundError(f"no ticket numbered {number[:40]!r}", field="number")
    return web.json_response(ticket.to_json())


# -- service centres -------------------------------------------------------------------------


async def centre_referral(request: web.Request) -> web.Response:
    """Where to apply in person: the centres in a district, else the nearest ones, and the documents."""
    cat = _catalogue(request)
    service_id = request.match_info["id"]
    service = cat.services.get(service_id)
    if service is None:
        raise ServiceNotFound(f"no service with id {service_id!r}", field="id")
    lang = lang_param(request)
    district = request.query.get("district") or None
    if district is not None and district not in cat.districts:
        raise InvalidRequest(f"unknown district {district!r}; valid: {', '.join(sorted(cat.districts))}", field="district")
    channel = _channel(request.query.get("channel"))
    referral = refer(cat, service, district)
    centres = [
        {
            "id": c.id,
            "name": c.name.get(lang),
            "address": c.address.get(lang),
            "hours": c.hours.get(lang),
            "phone": c.phone,
            "district": {"id": d.id, "name": d.name.get(lang)},
            "map_url": f"https://www.openstreetmap.org/?mlat={c.lat}&mlon={c.lon}#map=17/{c.lat}/{c.lon}" if c.lat is not None and c.lon is not None else None,
            "distance_km": km,
        }
        for d, c, km in referral.centres
    ]
    body = {
        "service_id": service.id,
        "title": service.title.get(lang),
        "lang": lang,
        "district": {"id": district, "name": cat.districts[district].name.get(lang)} if district else None,
        "in_district": referral.in_district,
        "centres": centres,
        "documents": [d.get(lang) for d in service.documents],
        "online_url": service.channels.online_url,
        "hotline": service.channels.hotline,
    }
    outcome = "in_district" if referral.in_district else "nearest" if district else "listed"
    await _db(request).audit(
        "centre_referral", outcome=outcome, channel=channel, service_id=service.id, detail={"district": district, "centres": [c["id"] for c in centres]}
    )
    return web.json_response(body)


# -- admin -----------------------------------------------------------------------------------


async def rotate_key(request: web.Request) -> web.Response:
    """Make a new signing key; tokens signed with the previous one stay valid until they expire."""
    await require_scope(request, "keys")
    signer = _signer(request)
    kid = await asyncio.to_thread(signer.rotate)
    return web.json_response({"kid": kid, "keys": [k["kid"] for k in signer.jwks()["keys"]]})

"""Catalogue routes: health, services, events, districts, questions, admin reload."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from .. import privacy
from ..catalogue import Catalogue, read_catalogue
from ..errors import CatalogInvalid, ServiceNotFound
from ..model import Service
from ..search.build import build_index
from .auth import require_scope
from .params import choice_param, query_model
from .schemas import ServicesQuery
from .typedefs import CATALOGUE, EMBEDDER, REBUILD_EXECUTOR, SETTINGS, CatalogueState

__all__ = ["centre_json", "service_json", "setup"]


def setup(app: web.Application) -> None:
    app.router.add_get("/health", health)
    app.router.add_get("/api/services", list_services)
    app.router.add_get("/api/services/{id}", get_service)
    app.router.add_get("/api/events", list_events)
    app.router.add_get("/api/districts", list_districts)
    app.router.add_get("/api/questions", list_questions)
    app.router.add_post("/admin/reload", reload_catalogue)


def current(request: web.Request) -> Catalogue:
    return request.app[CATALOGUE].catalogue


async def health(request: web.Request) -> web.Response:
    state = request.app[CATALOGUE]
    return web.json_response(
        {
            "status": "ok" if state.index is not None else "starting",
            "services": len(state.catalogue.services),
            "catalogue_hash": state.catalogue.content_hash[:16],
            "index": getattr(state.index, "key", None),
            "loaded_at": state.loaded_at,
        }
    )


async def list_services(request: web.Request) -> web.Response:
    cat = current(request)
    params = query_model(request, ServicesQuery)
    audience, page, per_page = params.audience, params.page, params.per_page
    district = choice_param(request, "district", set(cat.districts))
    event = choice_param(request, "event", set(cat.events))
    chosen = [
        s
        for s in sorted(cat.services.values(), key=lambda s: s.id)
        if (audience is None or s.audience == audience) and (district is None or cat.offered_in(s, district)) and (event is None or event in s.events)
    ]
    start = (page - 1) * per_page
    items = [{"id": s.id, "audience": s.audience, "theme": s.theme, "title": s.title.model_dump()} for s in chosen[start : start + per_page]]
    return web.json_response({"total": len(chosen), "page": page, "per_page": per_page, "items": items})


def centre_json(cat: Catalogue, district_id: str, centre: Any) -> dict[str, Any]:
    body: dict[str, Any] = centre.model_dump(mode="json")
    body["district"] = {"id": district_id, "name": cat.districts[district_id].name.model_dump()}
    if centre.lat is not None and centre.lon is not None:
        body["map_url"] = f"https://www.openstreetmap.org/?mlat={centre.lat}&mlon={centre.lon}#map=17/{centre.lat}/{centre.lon}"
    return body


def service_json(cat: Catalogue, service: Service, district: str | None = None) -> dict[str, Any]:
    """The full service as JSON, with its service centres resolved."""
    body = service.model_dump(mode="json", by_alias=True, exclude_none=True)
    body["channels"]["centres"] = [centre_json(cat, d.id, c) for d, c in cat.service_centres(service, district)]
    return body


async def get_service(request: web.Request) -> web.Response:
    cat = current(request)
    sid = request.match_info["id"]
    service = cat.services.get(sid)
    if service is None:
        raise ServiceNotFound(f"no service with id {sid!r}", field="id")
    district = choice_param(request, "district", set(cat.districts))
    return web.json_response(service_json(cat, service, district))


async def list_events(request: web.Request) -> web.Response:
    cat = current(request)
    counts: dict[str, int] = {}
    for s in cat.services.values():
        for e in s.events:
            counts[e] = counts.get(e, 0) + 1
    return web.json_response({"items": [{**e.model_dump(), "services": counts.get(e.id, 0)} for e in cat.events.values()]})


async def list_districts(request: web.Request) -> web.Response:
    cat = current(request)
    return web.json_response(
        {"items": [{"id": d.id, "name": d.name.model_dump(), "centres": [centre_json(cat, d.id, c) for c in d.centres]} for d in cat.districts.values()]}
    )


async def list_questions(request: web.Request) -> web.Response:
    return web.json_response({"items": [q.model_dump(mode="json", exclude_none=True) for q in current(request).questions.values()]})


async def reload_catalogue(request: web.Request) -> web.Response:
    """Re-read the catalogue; an invalid one is rejected and the old one keeps serving."""
    await require_scope(request, "operate")
    settings = request.app[SETTINGS]
    loop = asyncio.get_running_loop()
    cat, issues = await loop.run_in_executor(request.app[REBUILD_EXECUTOR], read_catalogue, settings.catalog_path)
    if cat is None:
        raise CatalogInvalid(f"the new catalogue has {len(issues)} problem(s); the previous catalogue keeps serving", details=[i.to_json() for i in issues])
    old: CatalogueState = request.app[CATALOGUE]
    if cat.content_hash == old.catalogue.content_hash:
        return web.json_response({"reloaded": False, "services": len(cat.services), "message": "the catalogue is unchanged"})
    index = await loop.run_in_executor(request.app[REBUILD_EXECUTOR], build_index, settings, cat, request.app[EMBEDDER])
    privacy.keep_public_numbers(centre.phone for _, centre in cat.centres.values())
    # No await between these assignments: handlers on the loop see the old pair or the new one, never half.
    old.catalogue, old.index, old.loaded_at = cat, index, time.time()
    return web.json_response({"reloaded": True, "services": len(cat.services), "catalogue_hash": cat.content_hash[:16]})

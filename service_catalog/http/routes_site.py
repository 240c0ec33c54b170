"""The demo portal page, static assets (widget, docs page) and the OpenAPI document."""

from __future__ import annotations

import html
from pathlib import Path

from aiohttp import web

from .openapi import openapi_document
from .typedefs import SETTINGS

__all__ = ["STATIC_DIR", "setup"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def setup(app: web.Application) -> None:
    app.router.add_get("/", portal_home)
    app.router.add_get("/openapi.json", openapi)
    app.router.add_get("/docs", docs_page)
    app.router.add_get("/widget.js", widget_js)
    app.router.add_static("/static/", STATIC_DIR, show_index=False, append_version=False)


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document(request.app), headers={"Access-Control-Allow-Origin": "*"})


async def docs_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "docs.html")


async def widget_js(request: web.Request) -> web.StreamResponse:
    path = STATIC_DIR / "widget.js"
    if not path.is_file():
        raise web.HTTPNotFound(text="widget.js is not built")
    return web.FileResponse(path, headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"})


async def portal_home(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    page = (STATIC_DIR / "portal.html").read_text(encoding="utf-8")
    page = page.replace("{{RASA_URL}}", html.escape(settings.rasa_url, quote=True))
    return web.Response(text=page, content_type="text/html")

"""Browser fixtures: Debian's chromium driven by Playwright, screenshots, axe-core, a fake portal origin.

Never downloads a browser: chromium comes from the system (`apt-get install -y chromium`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Playwright, Route, WebSocketRoute, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from service_catalog.http.middleware import content_security_policy

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
STATIC = ROOT / "service_catalog" / "static"
# Screenshots go outside the repository (tests never write into the work tree); set TEST_ARTIFACTS to keep them elsewhere.
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS") or Path(tempfile.gettempdir()) / "citizen-assistant-test-artifacts") / "browser"
# axe-core is installed once per lock file into the user's cache, not into tests/browser.
DEPS = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "citizen-assistant" / "browser-deps"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 800}
FAKE_ORIGIN = "http://portal.test"
FAKE_RASA = "http://rasa.test"
NO_REPLY = (
    "no bot message reached the widget in {seconds:.0f} s. If the Rasa log says \"coroutine 'AsyncServer.enter_room' was never awaited\", "
    "Rasa's socket.io channel drops every reply (RasaHQ/rasa#13027): see docs/widget.md, section 'Rasa side'"
)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium, headless; fails with an install hint when it is missing."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` (as root; .ci/run does this)")
    b = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile (empty localStorage) at 1280×800."""
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    ctx.set_default_timeout(30_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@dataclass
class PageLog:
    """What a page did besides rendering: dialogs it opened (dismissed at once) and console lines."""

    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


@pytest.fixture
def page_log(page: Page) -> PageLog:
    log = PageLog()

    def on_dialog(dialog: Dialog) -> None:
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: log.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: log.console.append(f"pageerror: {e}"))
    return log


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def shot(artifacts: Path) -> Callable[[Page, str], Path]:
    """Save a screenshot as test-artifacts/browser/<name>.png."""

    def take(page: Page, name: str) -> Path:
        path = artifacts / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's axe.min.js, installed by ``npm ci`` from tests/browser's lock file into the user's cache."""
    lock = (HERE / "package-lock.json").read_bytes()
    folder = DEPS / hashlib.sha256(lock).hexdigest()[:16]
    path = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is missing: install Node.js and npm (`apt-get install -y nodejs npm`) to run the accessibility check")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(HERE / "package.json", folder / "package.json")
        (folder / "package-lock.json").write_bytes(lock)
        out = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=folder, capture_output=True, text=True, timeout=600)
        if out.returncode != 0 or not path.exists():
            pytest.fail(f"`npm ci` for tests/browser failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return path


def _portal_html(rasa_url: str) -> str:
    return (STATIC / "portal.html").read_text(encoding="utf-8").replace("{{RASA_URL}}", rasa_url)


@pytest.fixture
def fake_portal(context: BrowserContext) -> Callable[..., str]:
    """Serve the demo portal and the widget from disk at http://portal.test/ (with the real CSP).

    Call it with ``rasa_url`` (default http://rasa.test, answered by ``page.route_web_socket``) and an
    optional ``html_lang`` / ``data_lang``; it returns the portal URL. No processes are needed.
    """

    def serve(rasa_url: str = FAKE_RASA, html_lang: str | None = None, data_lang: str | None = None) -> str:
        page_html = _portal_html(rasa_url)
        if html_lang is not None:
            page_html = page_html.replace('<html lang="zh-CN">', f'<html lang="{html_lang}">')
        if data_lang is not None:
            page_html = page_html.replace('data-lang="auto"', f'data-lang="{data_lang}"')

        def handle(route: Route) -> None:
            path = route.request.url[len(FAKE_ORIGIN) :].split("?")[0]
            if path == "/":
                route.fulfill(
                    status=200,
                    body=page_html,
                    headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": content_security_policy(rasa_url)},
                )
            elif path == "/widget.js":
                route.fulfill(status=200, path=STATIC / "widget.js", headers={"Content-Type": "text/javascript; charset=utf-8"})
            elif path.startswith("/static/") and (STATIC / path[len("/static/") :]).is_file():
                route.fulfill(status=200, path=STATIC / path[len("/static/") :], headers={"Content-Type": "text/css; charset=utf-8"})
            else:
                route.fulfill(status=404, body="not found")

        context.route(f"{FAKE_ORIGIN}/**", handle)
        return f"{FAKE_ORIGIN}/"

    return serve


class Widget:
    """Drives the chat widget on a page, the way a person would (keyboard and clicks)."""

    BOT_TIMEOUT = 60_000  # a bot answer on a busy 2-core machine, first turn included

    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.locator("#csw-launcher")
        self.panel = page.locator("#csw-panel")
        self.input = page.locator("#csw-input")
        self.send_button = page.locator(".csw-send")
        self.log = page.get_by_role("log")
        self.status = page.locator(".csw-status")
        self.lang_button = page.locator(".csw-lang")
        self.title = page.locator(".csw-title")
        self.cards = page.locator(".csw-card")
        self.replies = page.locator(".csw-reply")
        self.user_bubbles = page.locator(".csw-user .csw-bubble")

    def open(self) -> None:
        if self.launcher.get_attribute("aria-expanded") != "true":
            self.launcher.click()
        expect(self.input).to_be_focused()

    def wait_online(self, timeout: float = 60_000) -> None:
        expect(self.send_button).to_be_enabled(timeout=timeout)

    def bot_count(self) -> int:
        return self.page.locator(".csw-msg.csw-bot").count()

    def say(self, text: str) -> int:
        """Type a message and press Enter; returns the number of bot messages before it."""
        before = self.bot_count()
        self.input.fill(text)
        self.input.press("Enter")
        return before

    def wait_bot(self, before: int, timeout: float = BOT_TIMEOUT) -> None:
        """Wait for a bot message after ``before`` ones, then for the turn to settle (a card follows its text)."""
        try:
            self.page.wait_for_function("n => document.querySelectorAll('.csw-msg.csw-bot').length > n", arg=before, timeout=timeout)
        except PlaywrightTimeoutError:
            pytest.fail(NO_REPLY.format(seconds=timeout / 1000))
        self.page.wait_for_timeout(1500)


@pytest.fixture
def widget(page: Page) -> Widget:
    return Widget(page)


@pytest.fixture(scope="session")
def live_portal(stack: Any, browser: Browser) -> str:
    """The demo portal's URL, once a message has made the round trip widget → Rasa → widget.

    Checked once per session, so a broken socket.io channel fails fast with a hint instead of
    every conversation test waiting for replies that never come.
    """
    url = f"http://127.0.0.1:{stack.ports['catalogue']}/"
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(url)
        w = Widget(page)
        w.open()
        w.wait_online()
        w.wait_bot(w.say("hello"), timeout=90_000)
    finally:
        context.close()
    return url


class FakeRasa:
    """A socket.io server (Engine.IO v4 over WebSocket) played by ``page.route_web_socket``.

    ``events`` records what the widget emitted; ``emit`` sends an event to the widget; ``drop``
    closes the current connection; ``refuse`` makes new connections close at once.
    """

    OPEN = '0{"sid":"eio-%d","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'

    def __init__(self, page: Page, url: str) -> None:
        self.events: list[tuple[str, Any]] = []
        self.frames: list[str] = []
        self.connections = 0
        self.refuse = False
        self.session = "fake-session-1"
        self.ws: WebSocketRoute | None = None
        page.route_web_socket(url, self._accept)

    def _accept(self, ws: WebSocketRoute) -> None:
        self.connections += 1
        if self.refuse:
            ws.close(code=1011)
            return
        self.ws = ws
        ws.on_message(lambda m: self._on_message(ws, m))
        ws.send(self.OPEN % self.connections)

    def _on_message(self, ws: WebSocketRoute, message: str | bytes) -> None:
        text = message if isinstance(message, str) else message.decode()
        self.frames.append(text)
        if text == "40":
            ws.send(f'40{{"sid":"sock-{self.connections}"}}')
        elif text.startswith("42"):
            name, *rest = json.loads(text[2:])
            data = rest[0] if rest else None
            self.events.append((name, data))
            if name == "session_request":
                ws.send("42" + json.dumps(["session_confirm", (data or {}).get("session_id") or self.session]))

    def emit(self, event: str, data: Any) -> None:
        assert self.ws is not None, "the widget is not connected"
        self.ws.send("42" + json.dumps([event, data], ensure_ascii=False))

    def send_raw(self, frame: str) -> None:
        assert self.ws is not None, "the widget is not connected"
        self.ws.send(frame)

    def drop(self) -> None:
        if self.ws is not None:
            self.ws.close(code=1001)
            self.ws = None

    def said(self, name: str = "user_uttered") -> list[Any]:
        return [data for event, data in self.events if event == name]


@pytest.fixture
def fake_rasa(page: Page) -> FakeRasa:
    """A fake Rasa socket.io endpoint at ws://rasa.test/ for the page served by ``fake_portal``."""
    return FakeRasa(page, "ws://rasa.test/**")

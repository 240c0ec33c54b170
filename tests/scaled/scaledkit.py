"""Helpers of the scaled-stack tests: REST turns to one replica or the balancer, trackers, lost-event counts."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, Any]:
    """``(status, parsed JSON or text)``; status 0 when the connection failed (a dead replica)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        with exc:
            status, raw = exc.code, exc.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def say(stack: Any, base_url: str, sender: str, message: str, timeout: float = 120) -> tuple[int, list[dict[str, Any]]]:
    """One REST turn to ``base_url`` (a replica or the balancer): ``(status, replies)``."""
    status, body = http(
        "POST", f"{base_url}/webhooks/rest/webhook", {"sender": sender, "message": message}, {"Authorization": f"Bearer {stack.rest_token}"}, timeout
    )
    return status, body if isinstance(body, list) else []


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def cards(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["custom"]["data"] for r in replies if isinstance(r.get("custom"), dict) and (r["custom"].get("data") or {}).get("type") == "service_card"]


def tracker(stack: Any, sender: str, base_url: str | None = None) -> dict[str, Any]:
    """The conversation's tracker through Rasa's API (any replica: they share the tracker store)."""
    query = urllib.parse.urlencode({"token": stack.rasa_token})
    status, body = http("GET", f"{base_url or stack.rasa_lb_url}/conversations/{urllib.parse.quote(sender, safe=':')}/tracker?{query}")
    assert status == 200, body
    return dict(body)


def user_messages(stack: Any, sender: str, base_url: str | None = None) -> list[str]:
    return [e.get("text", "") for e in tracker(stack, sender, base_url)["events"] if e["event"] == "user"]


def turns_one_at_a_time(events: list[dict[str, Any]]) -> bool:
    """Each user message's turn ends (``action_listen``) before the next user message is read."""
    listening = True
    for event in events:
        if event["event"] == "user":
            if not listening:
                return False
            listening = False
        elif event["event"] == "action" and event.get("name") == "action_listen":
            listening = True
    return True


def lost(acknowledged: list[str], stored: list[str]) -> list[str]:
    """Messages a client got a 200 for that the tracker does not hold (each counted as often as it was sent)."""
    remaining = list(stored)
    missing = []
    for message in acknowledged:
        if message in remaining:
            remaining.remove(message)
        else:
            missing.append(message)
    return missing


def wait_until(check: Any, timeout: float, what: str, every: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(every)

"""Conversation-level evaluation (``make eval``): multi-turn scripts played against a running
assistant, scored on the service selected at the end and on the eligibility verdict.

A script (``evaluation/conversations/<split>/*.yaml``) gives the citizen's turns only, the service
that must be selected after the last turn and, where the script reaches an eligibility check, the
verdict it must reach. The split is the folder: ``dev`` scripts may be looked at while changing the
bot; ``holdout`` scripts never are (their figures are reported, their failures only described).

Why the runner talks to Rasa rather than to the catalogue service: a conversation's outcome depends
on everything between the words and the answer (NLU, the dialogue policy, the actions, the catalogue
service), which only the running assistant has. It sends each turn to the REST channel (bearer
``RASA_REST_TOKEN``) and reads the tracker through Rasa's HTTP API (``?token=RASA_AUTH_TOKEN``):

* **selection** = the ``service_id`` slot after the last turn (more robust than the last card
  shown: a check, a follow-up or a pick keeps the slot without showing a card again);
* **verdict** = the ``status`` of the last ``outcome`` marker of kind ``verdict``
  (``actions/feedback.py``), for that selected service, and only if the answers have not changed
  since (a correction that reopened the check without a new verdict leaves none);
* a confirmation question ("42 days — is that right?", the ``elig_pending`` slot) is answered yes
  (对) by the runner, so a wrong reading shows as a wrong verdict rather than a stalled script.

Used by ``scripts/conversation_eval.py`` (``make eval``) and ``tests/e2e/test_conversation_scripts.py``.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..settings import REPO_DIR

__all__ = [
    "CONVERSATIONS_DIR",
    "SPLITS",
    "Assistant",
    "Outcome",
    "RestAssistant",
    "Script",
    "ScriptError",
    "figures",
    "final_verdict",
    "format_report",
    "load_script_file",
    "load_scripts",
    "run_script",
    "run_scripts",
]

CONVERSATIONS_DIR = REPO_DIR / "evaluation" / "conversations"
SPLITS = ("dev", "holdout")
LANGS = ("en", "zh")
VERDICTS = ("eligible", "ineligible", "unknown")
YES = {"en": "yes", "zh": "对"}
MAX_TURNS = 12


class ScriptError(ValueError):
    """A script file that cannot be used; the message names the file, the script and the field."""


@dataclass(frozen=True)
class Script:
    """One multi-turn conversation with what it must end with."""

    id: str
    split: str
    source: str
    lang: str
    turns: tuple[str, ...]
    expect_service: str
    expect_verdict: str | None = None
    notes: str = ""
    unmeasured: tuple[str, ...] = ()
    expect_subject: str | None = None  # who the check is for at the end (the subject slot; "self" for the citizen)


def _fail(path: Path, n: int, message: str) -> ScriptError:
    return ScriptError(f"{path.name}, script {n}: {message}")


def load_script_file(path: Path, split: str, services: Collection[str] | None = None) -> list[Script]:
    """The scripts of one file, checked.

    Args:
        path: A YAML list of ``{lang, turns, expect_service, expect_verdict?, expect_subject?, id?, notes?, unmeasured?}``;
            ``expect_subject`` is a relation (``mother``, ``wife``...) or ``self``, and counts in the selection.
        split: ``dev`` or ``holdout``.
        services: The catalogue's service ids; when given, ``expect_service`` must be one of them.

    Raises:
        ScriptError: The file or a script is malformed; the message says where and which field.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScriptError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(raw, list):
        raise ScriptError(f"{path.name}: expected a list of scripts")
    scripts: list[Script] = []
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise _fail(path, n, "expected a mapping")
        unknown = set(item) - {"id", "lang", "turns", "expect_service", "expect_verdict", "expect_subject", "notes", "unmeasured"}
        if unknown:
            raise _fail(path, n, f"unknown field(s) {', '.join(sorted(unknown))}")
        lang = item.get("lang")
        if lang not in LANGS:
            raise _fail(path, n, f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
        turns = item.get("turns")
        if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            raise _fail(path, n, "turns must be a non-empty list of non-empty strings")
        if len(turns) > MAX_TURNS:
            raise _fail(path, n, f"turns: at most {MAX_TURNS}, got {len(turns)}")
        service = item.get("expect_service")
        if not isinstance(service, str) or not service:
            raise _fail(path, n, "expect_service is required")
        if services is not None and service not in services:
            raise _fail(path, n, f"expect_service {service!r} is not a service of the catalogue")
        verdict = item.get("expect_verdict")
        if verdict is not None and verdict not in VERDICTS:
            raise _fail(path, n, f"expect_verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
        unmeasured = item.get("unmeasured") or []
        if not isinstance(unmeasured, list) or not all(isinstance(u, str) for u in unmeasured):
            raise _fail(path, n, "unmeasured must be a list of strings")
        subject = item.get("expect_subject")
        if subject is not None and (not isinstance(subject, str) or not re.fullmatch(r"[a-z]{2,20}", subject)):
            raise _fail(path, n, f"expect_subject must be a relation such as mother or self, got {subject!r}")
        script_id = str(item.get("id") or f"{path.stem}#{n}")
        notes = str(item.get("notes") or "")
        scripts.append(Script(script_id, split, path.name, lang, tuple(turns), service, verdict, notes, tuple(unmeasured), subject))
    ids = [s.id for s in scripts]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ScriptError(f"{path.name}: duplicate script id(s) {', '.join(duplicates)}")
    return scripts


def load_scripts(folder: Path = CONVERSATIONS_DIR, services: Collection[str] | None = None, splits: Sequence[str] = SPLITS) -> list[Script]:
    """Every script under ``folder/<split>/*.yaml``, dev first.

    Raises:
        ScriptError: A split folder is missing or a file is malformed.
    """
    scripts: list[Script] = []
    for split in splits:
        if split not in SPLITS:
            raise ScriptError(f"unknown split {split!r}; known: {', '.join(SPLITS)}")
        where = folder / split
        if not where.is_dir():
            raise ScriptError(f"{where}: missing (the {split} scripts)")
        for path in sorted(where.glob("*.yaml")):
            scripts += load_script_file(path, split, services)
    return scripts


class Assistant(Protocol):
    """What the runner needs of a running assistant."""

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        """Send one message as ``sender``; the bot's replies."""

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation's tracker (slots, events)."""


class RestAssistant:
    """Rasa over HTTP: the REST channel for messages, the HTTP API for the tracker."""

    def __init__(self, rasa_url: str, rest_token: str, api_token: str, timeout: float = 120.0) -> None:
        self.url = rasa_url.rstrip("/")
        self.rest_token = rest_token
        self.api_token = api_token
        self.timeout = timeout

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.rest_token}"}
        request = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", data=body, headers=headers)
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return list(json.loads(response.read()))

    def tracker(self, sender: str) -> dict[str, Any]:
        query = urllib.parse.urlencode({"token": self.api_token})
        url = f"{self.url}/conversations/{urllib.parse.quote(sender, safe='')}/tracker?{query}"
        with urllib.request.urlopen(url, timeout=self.timeout) as response:
            return dict(json.loads(response.read()))


@dataclass
class Outcome:
    """What one script ended with."""

    script: Script
    selected: str | None = None
    verdict: str | None = None
    subject: str = "self"
    last_reply: str = ""
    transcript: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None

    @property
    def selection_ok(self) -> bool:
        """The right service; and, when the script says, for the right person."""
        right_person = self.script.expect_subject is None or self.subject == self.script.expect_subject
        return self.error is None and self.selected == self.script.expect_service and right_person

    @property
    def verdict_ok(self) -> bool | None:
        """None when the script expects no verdict."""
        if self.script.expect_verdict is None:
            return None
        return self.error is None and self.verdict == self.script.expect_verdict

    @property
    def failures(self) -> list[str]:
        if self.error is not None:
            return [f"error: {self.error}"]
        out = []
        if not self.selection_ok:
            if self.script.expect_subject is None:
                out.append(f"selected {self.selected or 'nothing'}, expected {self.script.expect_service}")
            else:
                wanted = f"{self.script.expect_service} for {self.script.expect_subject}"
                out.append(f"selected {self.selected or 'nothing'} for {self.subject}, expected {wanted}")
        if self.verdict_ok is False:
            out.append(f"verdict {self.verdict or 'none'}, expected {self.script.expect_verdict}")
        return out


def reply_text(replies: Sequence[dict[str, Any]]) -> str:
    """The bot's words in one string (texts, then button titles in brackets)."""
    parts = []
    for reply in replies:
        if reply.get("text"):
            parts.append(str(reply["text"]))
        titles = [str(b.get("title", "")) for b in reply.get("buttons") or []]
        if titles:
            parts.append("[" + " | ".join(titles) + "]")
    return "\n".join(parts)


def final_verdict(tracker: dict[str, Any]) -> str | None:
    """The status of the verdict the conversation ends with, or None (see the module docstring)."""
    answers: Any = None
    verdict: str | None = None
    verdict_service: Any = None
    answers_at_verdict: Any = None
    for event in tracker.get("events") or []:
        if event.get("event") != "slot":
            continue
        value = event.get("value")
        if event.get("name") == "answers":
            answers = value
        elif event.get("name") == "outcome" and isinstance(value, dict) and value.get("kind") == "verdict":
            verdict, verdict_service, answers_at_verdict = value.get("status"), value.get("service_id"), answers
    slots = tracker.get("slots") or {}
    if verdict is None or verdict_service != slots.get("service_id") or answers != answers_at_verdict:
        return None
    return str(verdict)


def run_script(assistant: Assistant, script: Script, sender: str | None = None) -> Outcome:
    """Play one script in a new conversation and read how it ended; never raises for the bot's sake."""
    sender = sender or f"conv-eval-{script.lang}-{uuid.uuid4().hex[:10]}"
    outcome = Outcome(script)
    try:
        for turn in script.turns:
            replies = assistant.say(sender, turn)
            outcome.transcript += [("user", turn), ("bot", reply_text(replies))]
            pending = (assistant.tracker(sender).get("slots") or {}).get("elig_pending")
            if isinstance(pending, dict) and pending.get("confirm"):
                yes = YES[script.lang]
                replies = assistant.say(sender, yes)
                outcome.transcript += [("user (runner confirms)", yes), ("bot", reply_text(replies))]
        tracker = assistant.tracker(sender)
    except (OSError, ValueError) as exc:  # urllib's errors are OSErrors; a body that is not JSON is a ValueError
        outcome.error = f"{type(exc).__name__}: {exc}"
        return outcome
    slots = tracker.get("slots") or {}
    outcome.selected = slots.get("service_id") if isinstance(slots.get("service_id"), str) else None
    outcome.subject = slots["subject"] if isinstance(slots.get("subject"), str) and slots["subject"] else "self"
    outcome.verdict = final_verdict(tracker)
    outcome.last_reply = outcome.transcript[-1][1] if outcome.transcript else ""
    return outcome


def run_scripts(
    assistant: Assistant, scripts: Sequence[Script], workers: int = 3, progress: Callable[[int, int, Outcome], None] | None = None
) -> list[Outcome]:
    """Play every script (``workers`` conversations at a time); the outcomes in the scripts' order."""
    done: dict[int, Outcome] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(run_script, assistant, script): n for n, script in enumerate(scripts)}
        for future in as_completed(futures):
            outcome = future.result()
            done[futures[future]] = outcome
            if progress is not None:
                progress(len(done), len(scripts), outcome)
    return [done[n] for n in range(len(scripts))]


def figures(outcomes: Sequence[Outcome]) -> dict[tuple[str, str], dict[str, int]]:
    """Per (split, lang): scripts, selections right, verdict scripts, verdicts right."""
    table: dict[tuple[str, str], dict[str, int]] = {}
    for o in outcomes:
        row = table.setdefault((o.script.split, o.script.lang), {"scripts": 0, "selected": 0, "verdicts": 0, "verdict_right": 0})
        row["scripts"] += 1
        row["selected"] += o.selection_ok
        if o.verdict_ok is not None:
            row["verdicts"] += 1
            row["verdict_right"] += o.verdict_ok
    return dict(sorted(table.items(), key=lambda kv: (SPLITS.index(kv[0][0]), kv[0][1])))


def _share(right: int, total: int) -> str:
    return f"{right / total:.3f} ({right}/{total})" if total else "—"


def format_report(outcomes: Sequence[Outcome], max_reply: int = 240) -> str:
    """The table per split and language, then each failing script with the bot's last reply."""
    lines = ["Conversations: selection = the service_id slot at the end; verdict = the last verdict's status", ""]
    lines.append(f"  {'split':<8} {'lang':<4} {'scripts':>7}  {'selection':<16} {'verdict':<16}")
    for (split, lang), row in figures(outcomes).items():
        lines.append(
            f"  {split:<8} {lang:<4} {row['scripts']:>7}  {_share(row['selected'], row['scripts']):<16} {_share(row['verdict_right'], row['verdicts']):<16}"
        )
    failing = [o for o in outcomes if o.failures]
    lines += ["", f"Failures ({len(failing)} of {len(outcomes)} scripts; held-out failures are reported, never tuned on):" if failing else "No failures."]
    for o in failing:
        s = o.script
        lines.append(f"  [{s.split} {s.lang}] {s.source} {s.id}: {'; '.join(o.failures)}")
        last = " ".join(o.last_reply.split())
        if last:
            lines.append(f"      last reply: {last[:max_reply]}{'…' if len(last) > max_reply else ''}")
    unmeasured = sum(len(o.script.unmeasured) for o in outcomes)
    if unmeasured:
        lines += ["", f"Not measured: {unmeasured} expectations of the written scripts (their `unmeasured` lists: the content of answers)."]
    return "\n".join(lines)

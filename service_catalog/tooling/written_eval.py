"""Sets written by other hands: how search and the answer reader do on questions we never wrote
(``make eval``, ``python -m service_catalog eval --written DIR``; floors in
``tests/integration/test_written_sets.py``).

Two writers who had never seen the project wrote a set each from a catalogue summary only
(``evaluation/written/``). One is the ``dev`` set: its failures may be looked at and the
catalogue's words widened for them (generalising, never pasting its sentences). The other is
``holdout``: it is measured before and after, and its failures are not printed unless asked for
(``--show-failures``), so that nobody tunes on them by accident. Later hands came the same way: a
``dev_*`` folder is dev, a ``check_*`` folder is held out like ``holdout``.

A set folder holds (all optional):

* ``events.yaml``: ``{q, lang, event}`` situational questions whose answer is the event's
  checklist, and ``{q, lang, event: null, service}`` questions about one service that must not
  get a checklist;
* ``out_of_scope.yaml``: ``{q, lang, expect: out_of_scope}`` messages no service answers and
  ``{q, lang, service}`` in-scope look-alikes;
* ``yesno.yaml``: ``{question, answer, lang, expect: yes|no}`` answers to a yes/no question;
* ``conversations.yaml``: multi-turn scripts (kept with the set; checked for valid ids here).

Figures, per language: event R@1 (the search's checklist is the expected event), service R@5
and the share of one-service questions wrongly given a checklist; out-of-scope recognised (not
confident), in-scope R@5 and false "nothing" (an in-scope question flagged not confident);
yes/no answers right, wrong without asking back, and asked back (no reading, or a reading the
bot confirms with the person before using it).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..settings import REPO_DIR, Settings

if TYPE_CHECKING:
    from ..catalogue import Catalogue
    from ..search.index import SearchIndex

__all__ = [
    "WRITTEN_DIR",
    "WrittenSet",
    "event_rows",
    "figures",
    "load_written_set",
    "oos_rows",
    "print_written_eval",
    "run_written",
    "yes_no_rows",
]

WRITTEN_DIR = REPO_DIR / "evaluation" / "written"
TODAY = dt.date(2026, 12, 1)  # relative answers ("last year") count from a fixed day, so figures do not drift
LANGS = ("en", "zh")


@dataclass(frozen=True)
class Item:
    """One question of a written set: ``kind`` is ``event``, ``service`` (one-service question in the
    events file), ``oos`` (out of scope), ``inscope`` (in-scope look-alike) or ``yesno``."""

    kind: str
    text: str
    lang: str
    expect: str | bool | None
    line: int


@dataclass
class WrittenSet:
    """A written set's items and the entries left out, each with file, line and reason."""

    name: str
    items: list[Item] = field(default_factory=list)
    conversations: int = 0
    dropped: list[str] = field(default_factory=list)


def _entries(path: Path) -> list[tuple[int, Any]]:
    """The list entries of a YAML file with their lines (an absent file has none)."""
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not YAML ({exc})") from exc
    if raw is None:
        return []
    if not isinstance(raw, list) or node is None:
        raise ValueError(f"{path}: expected a YAML list")
    return [(item.start_mark.line + 1, entry) for entry, item in zip(raw, node.value, strict=True)]


def load_written_set(folder: Path, catalogue: Catalogue) -> WrittenSet:
    """Read a written set, keeping only entries whose ids the catalogue has and whose fields are whole.

    Entries left out are listed in ``dropped`` (file, line, why) rather than failing the run: a
    writer's typo in one id should cost that entry, not the set.

    Raises:
        ValueError: the folder does not exist or a file is not a YAML list.
    """
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such set folder")
    out = WrittenSet(folder.name)

    def drop(path: Path, line: int, why: str) -> None:
        out.dropped.append(f"{path.name}:{line}: {why}")

    for line, e in _entries(folder / "events.yaml"):
        path = folder / "events.yaml"
        if not isinstance(e, dict) or not isinstance(e.get("q"), str) or e.get("lang") not in LANGS:
            drop(path, line, "needs q and lang (en or zh)")
        elif e.get("event"):
            if e["event"] not in catalogue.events:
                drop(path, line, f"unknown event {e['event']!r}")
            else:
                out.items.append(Item("event", e["q"], e["lang"], e["event"], line))
        elif e.get("service") in catalogue.services:
            out.items.append(Item("service", e["q"], e["lang"], e["service"], line))
        else:
            drop(path, line, f"neither a known event nor a known service ({e.get('service')!r})")
    for line, e in _entries(folder / "out_of_scope.yaml"):
        path = folder / "out_of_scope.yaml"
        if not isinstance(e, dict) or not isinstance(e.get("q"), str) or e.get("lang") not in LANGS:
            drop(path, line, "needs q and lang (en or zh)")
        elif e.get("expect") == "out_of_scope":
            out.items.append(Item("oos", e["q"], e["lang"], None, line))
        elif e.get("service") in catalogue.services:
            out.items.append(Item("inscope", e["q"], e["lang"], e["service"], line))
        else:
            drop(path, line, f"neither out_of_scope nor a known service ({e.get('service')!r})")
    for line, e in _entries(folder / "yesno.yaml"):
        path = folder / "yesno.yaml"
        question = catalogue.questions.get(e.get("question", "")) if isinstance(e, dict) else None
        if not isinstance(e, dict) or not isinstance(e.get("answer"), str) or e.get("lang") not in LANGS:
            drop(path, line, "needs question, answer and lang (en or zh)")
        elif question is None or question.type != "boolean":
            drop(path, line, f"{e.get('question')!r} is not a yes/no question of the catalogue")
        elif e.get("expect") not in ("yes", "no", True, False):
            drop(path, line, f"expect must be yes or no, got {e.get('expect')!r}")
        else:
            expect = e["expect"] in ("yes", True)
            out.items.append(Item("yesno", e["answer"], e["lang"], f"{e['question']}={'yes' if expect else 'no'}", line))
    for line, e in _entries(folder / "conversations.yaml"):
        path = folder / "conversations.yaml"
        if not isinstance(e, dict) or not isinstance(e.get("turns"), list) or e.get("expect_service") not in catalogue.services:
            drop(path, line, f"needs turns and a known expect_service ({e.get('expect_service') if isinstance(e, dict) else e!r})")
        else:
            out.conversations += 1
    return out


@dataclass(frozen=True)
class Row:
    """One item's outcome: ``ok`` is the item's main figure; ``extra`` the second (see ``figures``)."""

    item: Item
    ok: bool
    extra: bool
    got: str


def event_rows(index: SearchIndex, items: Sequence[Item]) -> list[Row]:
    """Situational questions: ``ok`` = the expected event's checklist; one-service questions: ``ok`` =
    the service in the top 5, ``extra`` = a checklist given anyway."""
    rows = []
    for it in items:
        if it.kind not in ("event", "service"):
            continue
        r = index.search(it.text, lang=it.lang, limit=5)
        event = r.event["id"] if r.event else None
        ranked = [h.id for h in r.results]
        if it.kind == "event":
            rows.append(Row(it, event == it.expect, False, f"event {event}, services {ranked[:3]}"))
        else:
            rows.append(Row(it, it.expect in ranked, event is not None, f"{ranked[:3]}" + (f", checklist {event}" if event else "")))
    return rows


def oos_rows(index: SearchIndex, items: Sequence[Item]) -> list[Row]:
    """Out of scope: ``ok`` = flagged not confident. In scope: ``ok`` = the service in the top 5,
    ``extra`` = flagged not confident (a false "nothing")."""
    rows = []
    for it in items:
        if it.kind not in ("oos", "inscope"):
            continue
        r = index.search(it.text, lang=it.lang, limit=5)
        ranked = [h.id for h in r.results]
        got = f"{ranked[:3]}{'' if r.confident else ' (not confident)'}"
        if it.kind == "oos":
            rows.append(Row(it, not r.confident, False, got))
        else:
            rows.append(Row(it, it.expect in ranked, not r.confident, got))
    return rows


def yes_no_rows(catalogue: Catalogue, items: Sequence[Item]) -> list[Row]:
    """``ok`` = read right (confidently or after confirming); ``extra`` = asked back (no reading, or a
    reading below the confidence bar); neither = read wrong without asking back."""
    from ..eligibility import read_answer

    rows = []
    for it in items:
        if it.kind != "yesno":
            continue
        qid, want = str(it.expect).split("=")
        reading = read_answer(catalogue.questions[qid], it.text, TODAY)
        if reading is None:
            rows.append(Row(it, False, True, "not understood"))
            continue
        right = reading.value is (want == "yes")
        got = f"{'yes' if reading.value else 'no'}{'' if reading.confident else ' (asked back)'}"
        rows.append(Row(it, right and reading.confident, not reading.confident, got))
    return rows


def figures(rows: Sequence[Row]) -> dict[str, dict[str, float]]:
    """Per language (and ``all``): for each kind, ``n``, the share ``ok`` and the share ``extra``."""
    out: dict[str, dict[str, float]] = {}
    for lang in (*LANGS, "all"):
        mine = [r for r in rows if lang == "all" or r.item.lang == lang]
        for kind in ("event", "service", "oos", "inscope", "yesno"):
            k = [r for r in mine if r.item.kind == kind]
            if not k:
                continue
            f = out.setdefault(lang, {})
            f[f"{kind}_n"] = len(k)
            f[f"{kind}_ok"] = sum(r.ok for r in k) / len(k)
            f[f"{kind}_extra"] = sum(r.extra for r in k) / len(k)
            if kind == "yesno":
                f["yesno_wrong"] = sum(not r.ok and not r.extra for r in k) / len(k)
    return out


_LABELS = (
    ("event", "event R@1", None),
    ("service", "one-service R@5", "given a checklist"),
    ("oos", "out of scope recognised", None),
    ("inscope", "in-scope look-alike R@5", 'false "nothing"'),
)


def evaluate_written(index: SearchIndex, written: WrittenSet) -> list[Row]:
    return event_rows(index, written.items) + oos_rows(index, written.items) + yes_no_rows(index.catalogue, written.items)


def print_written_eval(index: SearchIndex, folders: Sequence[Path] | None = None, show_failures: bool = False) -> dict[str, dict[str, dict[str, float]]]:
    """Evaluate each written set on ``index``; print the figures per language, and the failures of
    the ``dev`` set (of a ``holdout`` set only with ``show_failures``). Returns the figures per set."""
    folders = list(folders) if folders is not None else sorted(p for p in WRITTEN_DIR.iterdir() if p.is_dir()) if WRITTEN_DIR.is_dir() else []
    out: dict[str, dict[str, dict[str, float]]] = {}
    for folder in folders:
        written = load_written_set(folder, index.catalogue)
        rows = evaluate_written(index, written)
        f = out[written.name] = figures(rows)
        counts = {k: sum(it.kind == k for it in written.items) for k in ("event", "service", "oos", "inscope", "yesno")}
        print(
            f"\nwritten set {folder} ({', '.join(f'{v} {k}' for k, v in counts.items())}, {written.conversations} conversations; {len(written.dropped)} entries left out)"
        )
        for why in written.dropped:
            print(f"  left out: {why}")
        print(f"{'':34}" + "".join(f"{lang:>16}" for lang in (*LANGS, "all")))
        for kind, label, extra in _LABELS:
            if f"{kind}_n" not in f.get("all", {}):
                continue
            print(f"{label:34}" + "".join(_cell(f.get(lang, {}), kind, "ok") for lang in (*LANGS, "all")))
            if extra:
                print(f"{'  ' + extra:34}" + "".join(_cell(f.get(lang, {}), kind, "extra") for lang in (*LANGS, "all")))
        if "yesno_n" in f.get("all", {}):
            for key, label in (("ok", "yes/no right"), ("wrong", "  wrong, not asked back"), ("extra", "  asked back")):
                print(f"{label:34}" + "".join(_cell(f.get(lang, {}), "yesno", key) for lang in (*LANGS, "all")))
        if (written.name == "holdout" or written.name.startswith("check")) and not show_failures:  # check_w4: held out too
            print("  (failures of the held-out set are not printed: pass --show-failures after the last change)")
            continue
        for r in rows:
            bad = not r.ok or (r.item.kind == "service" and r.extra) or (r.item.kind == "inscope" and r.extra)
            if bad:
                print(f"  [{r.item.kind} {r.item.lang} line {r.item.line}] {r.item.text!r}: expected {r.item.expect}, got {r.got}")
    return out


def _cell(f: dict[str, float], kind: str, key: str) -> str:
    n = f.get(f"{kind}_n")
    if not n:
        return f"{'—':>16}"
    return f"{f[f'{kind}_{key}']:.3f} ({int(n):3d})".rjust(16)


def run_written(settings: Settings, folders: Sequence[Path], show_failures: bool) -> int:
    """``eval --written DIR``: only the written sets named, on the deployment's index."""
    from ..catalogue import load_catalogue
    from ..search import build_index
    from ..search.embedder import make_embedder

    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        print(f"error: no such set folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    catalogue = load_catalogue(settings.catalog_path)
    index = build_index(settings, catalogue, make_embedder(settings.model, settings.embed_backend, query_precision=settings.query_precision))
    try:
        print_written_eval(index, folders, show_failures)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0

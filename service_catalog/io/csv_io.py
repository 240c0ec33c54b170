"""Services as a CSV spreadsheet: one row per service, one column per text and language.

Only ``id``, a title and a summary are required (:data:`REQUIRED`: ``title_en``
or ``title_zh``, ``summary_en`` or ``summary_zh``): a catalogue may have one
language only, and no districts, cost or processing days. The columns of
``shared/catalogue/core_services.csv`` come first (:data:`CORE`); every other
column of :data:`COLUMNS` is optional, and columns that match none of our
fields are ignored. A column the file lacks is taken from the base catalogue's
service with the same id (see :mod:`service_catalog.io.importing`).

Cell formats:

* lists (keywords, phrasings, documents, events, districts, centres): items
  separated by ``|``; ``documents_zh`` and ``documents_en`` pair up item by item;
* ``cost_cny``: ``free`` (or ``免费``) for a free service, else the amount in yuan (``0``
  is an amount: a service that is not free but may cost nothing, its note explaining when);
  empty when the catalogue does not state a cost;
* ``documents_zh``/``documents_en``: one of them alone in a one-language catalogue;
* ``districts``: ``all`` (or empty) for every district, else district ids;
* ``hotline``: empty means the citizen hotline 12345;
* ``last_reviewed``: an ISO date, ``2026-06-11``;
* ``eligibility``: the criteria tree as JSON, as in the service files
  (``{"all": [{"q": "age", "op": "ge", "value": 60}]}``); empty for none.

Errors name the file, the row as a spreadsheet numbers it (header = row 1) and
the column: ``services.csv:7: title_zh: required, but empty``. Rows whose cells
are all empty are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, Issue
from ..model import Service
from .registry import Entry, Loc, Parsed, register_exporter, register_importer

__all__ = ["COLUMNS", "CORE", "REQUIRED", "export_csv", "import_csv", "service_row"]

CORE = ("id", "audience", "theme", "title_en", "title_zh", "summary_en")
"""The columns of ``core_services.csv``, first in an export."""

REQUIRED = ("id", ("title_en", "title_zh"), ("summary_en", "summary_zh"))
"""What every import file has: ``id``, and one of each pair (a one-language catalogue has one)."""

COLUMNS = (
    *CORE,
    "summary_zh",
    "description_en",
    "description_zh",
    "authority_en",
    "authority_zh",
    "legal_basis_en",
    "legal_basis_zh",
    "keywords_en",
    "keywords_zh",
    "phrasings_en",
    "phrasings_zh",
    "documents_en",
    "documents_zh",
    "cost_cny",
    "cost_note_en",
    "cost_note_zh",
    "processing_days",
    "events",
    "districts",
    "online_url",
    "centres",
    "hotline",
    "last_reviewed",
    "eligibility",
)
"""Every column the importer maps, in the order the exporter writes them."""

ALIASES = {"competent_authority_en": "authority_en", "competent_authority_zh": "authority_zh", "title": "title_en", "summary": "summary_en"}
"""Other spellings of a column name that are accepted on import."""

SEP = "|"
FREE = frozenset({"free", "免费"})

_TEXTS = {"title": "title", "summary": "summary", "description": "description", "competent_authority": "authority", "legal_basis": "legal_basis"}
_LISTS = ("keywords", "phrasings")


# -- export -----------------------------------------------------------------------------------


def _join(items: list[str], where: str) -> str:
    for item in items:
        if SEP in item:
            raise ValueError(f"{where}: {item!r} contains {SEP!r}, which separates list items in CSV")
    return SEP.join(items)


def _amount(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def service_row(service: Service) -> dict[str, str]:
    """One service as a CSV row (column → cell).

    Raises:
        ValueError: a list item contains ``|``, which CSV cells cannot represent.
    """
    s = service
    row: dict[str, str] = {"id": s.id, "audience": s.audience, "theme": s.theme}
    for name, column in _TEXTS.items():
        text = getattr(s, name)
        row[f"{column}_en"], row[f"{column}_zh"] = text.en, text.zh
    for name in _LISTS:
        for lang in ("en", "zh"):
            row[f"{name}_{lang}"] = _join(getattr(s, name).get(lang), f"{s.id}: {name}_{lang}")
    for lang in ("en", "zh"):
        row[f"documents_{lang}"] = _join([d.get(lang) for d in s.documents], f"{s.id}: documents_{lang}")
    row["cost_cny"] = "" if s.cost is None else "free" if s.cost.free else _amount(s.cost.amount_cny or 0.0)
    row["cost_note_en"] = s.cost.note.en if s.cost and s.cost.note else ""
    row["cost_note_zh"] = s.cost.note.zh if s.cost and s.cost.note else ""
    row["processing_days"] = "" if s.processing_days is None else str(s.processing_days)
    row["events"] = _join(s.events, f"{s.id}: events")
    row["districts"] = "all" if s.districts == "all" else _join(s.districts, f"{s.id}: districts")
    row["online_url"] = s.channels.online_url or ""
    row["centres"] = _join(s.channels.centres, f"{s.id}: centres")
    row["hotline"] = s.channels.hotline
    row["last_reviewed"] = s.last_reviewed.isoformat() if s.last_reviewed else ""
    row["eligibility"] = (
        ""
        if s.eligibility is None
        else json.dumps(s.eligibility.model_dump(mode="json", by_alias=True, exclude_none=True), ensure_ascii=False, separators=(",", ":"))
    )
    return row


@register_exporter("csv")
def export_csv(catalogue: Catalogue, out: Path) -> None:
    """Write every service of ``catalogue`` to ``out`` as UTF-8 CSV with all of :data:`COLUMNS`."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for sid in sorted(catalogue.services):
        writer.writerow(service_row(catalogue.services[sid]))
    out.write_text(buffer.getvalue(), encoding="utf-8", newline="")


# -- import -----------------------------------------------------------------------------------


def _source_field(loc: Loc) -> str:
    """The CSV column of a :class:`Service` field path."""
    if not loc:
        return ""
    head = loc[0]
    lang = next((p for p in loc[1:] if p in ("zh", "en")), None)
    if head in _TEXTS:
        column = _TEXTS[head]
        return f"{column}_{lang}" if lang else f"{column}_zh, {column}_en"
    if head in _LISTS or head == "documents":
        return f"{head}_{lang}" if lang else f"{head}_zh, {head}_en"
    if head == "cost":
        if len(loc) > 1 and loc[1] == "note":
            return f"cost_note_{lang}" if lang else "cost_note_zh, cost_note_en"
        return "cost_cny"
    if head == "channels":
        return {"online_url": "online_url", "centres": "centres", "hotline": "hotline"}.get(loc[1] if len(loc) > 1 else "", "online_url")
    return str(head)


def _split(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(SEP) if item.strip()]


def _cell(row: dict[str, str], column: str) -> str | None:
    """The stripped cell, None when empty; raises KeyError when the file has no such column."""
    value = row[column].strip()
    return value or None


def _row_data(row: dict[str, str], columns: set[str], entry: Entry, issues: list[Issue]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    has = columns.__contains__

    for column in ("id", "audience", "theme"):
        if has(column):
            data[column] = _cell(row, column)
    for name, column in _TEXTS.items():
        text = {lang: _cell(row, f"{column}_{lang}") for lang in ("zh", "en") if has(f"{column}_{lang}")}
        if text:
            data[name] = text
    for name in _LISTS:
        lists = {lang: _split(row[f"{name}_{lang}"]) for lang in ("zh", "en") if has(f"{name}_{lang}")}
        if lists:
            data[name] = lists
    if has("documents_zh") or has("documents_en"):
        zh = _split(row.get("documents_zh", ""))
        en = _split(row.get("documents_en", ""))
        if has("documents_zh") and has("documents_en") and len(zh) != len(en):
            issues.append(entry.issue("documents_en", f"{len(en)} item(s), but documents_zh has {len(zh)}: the two columns pair up item by item"))
        elif not (has("documents_zh") and has("documents_en")):
            data["documents"] = [{"zh": z} for z in zh] + [{"en": e} for e in en]  # a one-language catalogue
        else:
            data["documents"] = [{"zh": z, "en": e} for z, e in zip(zh, en, strict=True)]
    if has("cost_cny") or has("cost_note_zh") or has("cost_note_en"):
        cost: dict[str, Any] = {}
        if has("cost_cny"):
            raw = _cell(row, "cost_cny")
            if raw is None:
                cost["free"] = None  # the catalogue does not state a cost
            elif raw.lower() in FREE:
                cost["free"], cost["amount_cny"] = True, None
            else:
                try:
                    cost["free"], cost["amount_cny"] = False, float(raw.replace(",", "").removeprefix("¥"))
                except ValueError:
                    issues.append(entry.issue("cost_cny", f"{raw!r} is not an amount: write free for a free service, else the amount in yuan"))
        note = {lang: _cell(row, f"cost_note_{lang}") for lang in ("zh", "en") if has(f"cost_note_{lang}")}
        if note:
            cost["note"] = note if any(note.values()) else None
        data["cost"] = None if has("cost_cny") and cost.get("free") is None else cost
    if has("processing_days"):
        raw = _cell(row, "processing_days")
        if raw is not None and not raw.isdigit():
            issues.append(entry.issue("processing_days", f"{raw!r} is not a whole number of days"))
        else:
            data["processing_days"] = int(raw) if raw is not None else None
    if has("events"):
        data["events"] = _split(row["events"])
    if has("districts"):
        raw = _cell(row, "districts")
        data["districts"] = "all" if raw is None or raw.lower() == "all" else _split(raw)
    channels: dict[str, Any] = {}  # always given: a new service without channel columns gets the defaults
    if has("online_url"):
        channels["online_url"] = _cell(row, "online_url")
    if has("centres"):
        channels["centres"] = _split(row["centres"])
    if has("hotline"):
        channels["hotline"] = _cell(row, "hotline")
    data["channels"] = channels
    if has("last_reviewed"):
        raw = _cell(row, "last_reviewed")
        try:
            data["last_reviewed"] = dt.date.fromisoformat(raw) if raw is not None else None
        except ValueError:
            issues.append(entry.issue("last_reviewed", f"{raw!r} is not a date like 2026-06-11"))
    if has("eligibility"):
        raw = _cell(row, "eligibility")
        try:
            data["eligibility"] = json.loads(raw) if raw is not None else None
        except json.JSONDecodeError as exc:
            issues.append(entry.issue("eligibility", f"invalid JSON: {exc.msg} at character {exc.pos + 1}"))
    return data


@register_importer("csv")
def import_csv(file: Path) -> Parsed:
    """Read a CSV file of services (UTF-8, with or without a byte-order mark).

    Returns:
        One entry per non-empty row, and errors naming ``file:ROW: column``.
    """
    name = file.name
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return Parsed(issues=[Issue(name, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the spreadsheet as CSV UTF-8")])
    except OSError as exc:
        return Parsed(issues=[Issue(name, None, "", f"cannot read: {exc.strerror}")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return Parsed(issues=[Issue(name, 1, "", "the file is empty; the first row must name the columns")])
    except csv.Error as exc:
        return Parsed(issues=[Issue(name, 1, "", f"not valid CSV: {exc}")])

    columns: list[str] = []
    issues: list[Issue] = []
    ignored: list[str] = []
    for raw in header:
        column = raw.strip().lower()
        column = ALIASES.get(column, column)
        if column in columns and column in COLUMNS:
            issues.append(Issue(name, 1, column, "the column appears twice"))
        if column not in COLUMNS:
            ignored.append(raw.strip())
        columns.append(column)
    missing = [c if isinstance(c, str) else " or ".join(c) for c in REQUIRED if not (c in columns if isinstance(c, str) else set(c) & set(columns))]
    if missing:
        issues.append(Issue(name, 1, ", ".join(missing), "missing column(s); the header needs at least id, title_en or title_zh, summary_en or summary_zh"))
    if issues:
        return Parsed(issues=issues, ignored=tuple(ignored))

    present = set(columns) & set(COLUMNS)
    entries: list[Entry] = []
    row_number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            issues.append(Issue(name, row_number + 1, "", f"not valid CSV: {exc}"))
            break
        row_number += 1
        if not any(c.strip() for c in cells):
            continue
        entry = Entry(name, row_number, "", {}, _source_field)
        if len(cells) > len(columns):
            issues.append(entry.issue("", f"{len(cells)} cells, but the header names {len(columns)} columns"))
            continue
        row = {c: "" for c in columns}
        for column, cell in zip(columns, cells, strict=False):  # a short row leaves the last cells empty
            if column in present:
                row[column] = cell
        entry.data.update(_row_data(row, present, entry, issues))
        entries.append(entry)
    return Parsed(entries, issues, tuple(ignored))

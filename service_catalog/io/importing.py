"""The import pipeline: an import file checked whole, then written as one YAML file per service.

:func:`import_file` runs the importer registered for the format
(:mod:`service_catalog.io.registry`), then

1. fills keys an entry does not carry at all (a column the CSV file lacks)
   from the base catalogue's service with the same id, so a file with a few
   columns updates existing services (an importer marks a value given as empty
   with ``None``, which is never filled);
2. validates every entry as a :class:`~service_catalog.model.Service`;
3. stages the resulting catalogue folder (with the entries that are valid on
   their own) in a temporary folder and validates it as a whole (references to
   events, centres, districts and questions), so one run reports every error;
4. only when there is no error at all, writes one YAML file per service into
   ``OUT/services/`` (:func:`~service_catalog.io.yaml_writer.service_yaml`) and
   copies ``questions/``, ``events/`` and ``districts.yaml`` from the base
   catalogue where ``OUT`` lacks them.

Every error names the source file and the spreadsheet row (CSV) or the entry
(JSON-LD) and the source column or property, never our internal field path.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..catalogue import Catalogue, Issue, read_catalogue
from ..model import Event, Service
from .registry import Entry, Loc, get_importer
from .yaml_writer import events_yaml, service_yaml

__all__ = ["SHARED_PARTS", "ImportResult", "import_file", "prune_steps"]

SHARED_PARTS = ("questions", "events", "districts.yaml")
"""The parts of a catalogue folder an import copies from the base catalogue when the target lacks them."""


@dataclass(frozen=True)
class ImportResult:
    """The outcome of :func:`import_file`.

    Attributes:
        count: Services written (0 whenever there is an error).
        errors: Every problem, each printing as ``file:ROW: field: message``; nothing was
            written when this is not empty.
        ignored: Source columns or properties that match none of our fields.
    """

    count: int
    errors: list[Issue]
    ignored: tuple[str, ...] = ()


def import_file(format: str, file: Path, out: Path, base: Path) -> ImportResult:
    """Import the services in ``file`` into the catalogue folder ``out``.

    Args:
        format: ``csv``, ``jsonld`` or a registered add-on format.
        file: The file to import.
        out: A catalogue folder (or a new or empty folder); services are written to ``out/services/``.
        base: The catalogue that fills what an entry leaves out for a service it already has,
            and whose ``questions/``, ``events/`` and ``districts.yaml`` are copied where ``out``
            lacks them.

    Returns:
        How many services were written, and every error; when there is any error nothing is written.

    Raises:
        ValueError: unknown format.
    """
    importer = get_importer(format)
    file, out, base = Path(file), Path(out), Path(base)
    parsed = importer(file)
    ignored = parsed.ignored
    if parsed.issues and not parsed.entries:
        return ImportResult(0, parsed.issues, ignored)
    problem = _check_target(out)
    if problem:
        return ImportResult(0, [*parsed.issues, problem], ignored)
    base_cat, base_issues = read_catalogue(base)
    needs_base = any(not (out / part).exists() for part in SHARED_PARTS)
    if base_cat is None and needs_base:
        shown = "; ".join(str(i) for i in base_issues[:3])
        return ImportResult(0, [*parsed.issues, Issue(str(base), None, "", f"the base catalogue is invalid ({len(base_issues)} problem(s): {shown})")], ignored)

    issues = list(parsed.issues)
    services: dict[str, tuple[Service, Entry]] = {}
    seen: dict[str, Entry] = {}
    for entry in parsed.entries:
        sid = entry.data.get("id")
        if isinstance(sid, str) and sid in seen:
            other = seen[sid]
            where = f"row {other.line}" if other.line else other.label or "an earlier entry"
            issues.append(entry.issue(entry.source_field(("id",)), f"duplicate id {sid!r} (also at {where})"))
            continue
        if isinstance(sid, str):
            seen[sid] = entry
        service = _validate(entry, base_cat, issues)
        if service is not None:
            services[service.id] = (service, entry)
    # A cell that could not be read is reported once, not again as "required" by the model.
    unreadable = {(i.file, i.line, i.field) for i in parsed.issues}
    issues = list(parsed.issues) + [i for i in issues[len(parsed.issues) :] if (i.file, i.line, i.field) not in unreadable]
    if not services and not issues:
        issues.append(Issue(file.name, None, "", "no services found in the file"))
    if not services:
        return ImportResult(0, _sorted(list(dict.fromkeys(issues))), ignored)

    with tempfile.TemporaryDirectory(prefix="catalog-import-") as tmp:
        # The services that are valid on their own, checked together with the rest of the catalogue.
        stage = Path(tmp) / "catalogue"
        _assemble(stage, out, base, services.values())
        _, stage_issues = read_catalogue(stage)
        issues += _relocate(stage_issues, services, out)
        if issues:
            return ImportResult(0, _sorted(list(dict.fromkeys(issues))), ignored)
        _commit(stage, out, services)
    return ImportResult(len(services), [], ignored)


def _sorted(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.file, i.line or 0, i.field, i.message))


def _check_target(out: Path) -> Issue | None:
    if out.exists() and not out.is_dir():
        return Issue(str(out), None, "", "the import target must be a catalogue folder, not a file")
    if out.is_dir() and any(out.iterdir()) and not any((out / p).exists() for p in ("services", *SHARED_PARTS)):
        return Issue(str(out), None, "", "not a catalogue folder (no services/, questions/, events/ or districts.yaml); use a catalogue folder or a new one")
    return None


_ATOMIC = frozenset({"eligibility", "documents", "events", "districts"})
"""Fields taken from the base catalogue as a whole, never merged key by key."""


def _fill(data: dict[str, Any], base: dict[str, Any], top: bool = True) -> None:
    """Fill keys absent from ``data`` with ``base``'s, recursing into nested records."""
    for key, value in base.items():
        if key not in data:
            data[key] = value
        elif isinstance(data[key], dict) and isinstance(value, dict) and not (top and key in _ATOMIC):
            _fill(data[key], value, top=False)


def _drop_empty(value: Any) -> Any:
    """``None`` marks a value the source gave as empty: drop it so the model's default or "required" applies."""
    if isinstance(value, dict):
        return {k: _drop_empty(v) for k, v in value.items() if v is not None}
    return value


def _validate(entry: Entry, base: Catalogue | None, issues: list[Issue]) -> Service | None:
    data = copy.deepcopy(entry.data)
    data.setdefault("sample_data", True)
    known = base.services.get(str(data.get("id"))) if base is not None else None
    if known is not None:
        _fill(data, known.model_dump(by_alias=True, exclude_none=True))
    data = {k: v if k == "eligibility" else _drop_empty(v) for k, v in data.items() if v is not None}
    try:
        return Service.model_validate(data)
    except ValidationError as exc:
        found: list[Issue] = []
        criteria: list[str] = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            if loc and loc[0] == "eligibility":
                inner = ".".join(str(p) for p in loc[1:] if p not in _UNION_TAGS)
                criteria.append(f"{inner}: {message}" if inner else message)
                continue
            if err["type"] == "missing":
                message = _missing_message(entry, loc)
            found.append(entry.issue(entry.source_field(loc), message))
        if criteria:
            shown = "; ".join(dict.fromkeys(criteria))
            found.append(
                entry.issue(
                    entry.source_field(("eligibility",)), f"not a valid criteria tree (each node needs q with op and value, or all, any or not): {shown}"
                )
            )
        issues.extend(dict.fromkeys(found))
        return None


_UNION_TAGS = frozenset({"Condition", "AllOf", "AnyOf", "NotOf", "bool", "int", "float", "str", "list[str]", "list[int]", "list[float]"})


def _missing_message(entry: Entry, loc: Loc) -> str:
    node: Any = entry.data
    for part in loc:
        if (isinstance(node, list) and isinstance(part, int) and part < len(node)) or (isinstance(node, dict) and part in node):
            node = node[part]
        else:
            sid = entry.data.get("id")
            return f"required: not in the file, and the base catalogue has no service {sid!r} to take it from"
        if node is None:
            break
    if loc and loc[-1] in ("zh", "en"):
        return f"required, but there is no {loc[-1]} text"
    return "required, but missing or empty"


def _assemble(stage: Path, out: Path, base: Path, services: Iterable[tuple[Service, Entry]]) -> None:
    """The catalogue folder the import would produce, built under ``stage``."""
    stage.mkdir(parents=True)
    for part in ("services", *SHARED_PARTS):
        source = out / part if (out / part).exists() else base / part if part != "services" else None
        if source is None or not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, stage / part)
        else:
            shutil.copy2(source, stage / part)
    (stage / "services").mkdir(exist_ok=True)
    for service, _ in services:
        (stage / "services" / f"{service.id}.yaml").write_text(service_yaml(service), encoding="utf-8")
    if not (out / "events").exists() and (stage / "events").is_dir():
        prune_steps(stage / "events", {p.stem for p in (stage / "services").iterdir()})


def prune_steps(folder: Path, services: set[str]) -> None:
    """Events copied from the base catalogue keep only the checklist steps whose service the
    new catalogue has (a step naming a missing service would make it invalid); an ``after``
    that named a dropped step is dropped with it."""
    for path in sorted(folder.iterdir()):
        cat, _ = read_catalogue_part(path)
        if cat is None or all(s.service in services for e in cat for s in e.steps):
            continue
        pruned = []
        for event in cat:
            kept = [s for s in event.steps if s.service in services]
            orders = {s.order for s in kept}
            steps = [s.model_copy(update={"after": [a for a in s.after if a in orders]}) for s in kept]
            pruned.append(event.model_copy(update={"steps": steps}))
        path.write_text(events_yaml(pruned), encoding="utf-8")


def read_catalogue_part(path: Path) -> tuple[list[Event] | None, str]:
    """The events of one events file (None when it does not read as a list of events)."""
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return [Event.model_validate(item) for item in raw or []], ""
    except (OSError, ValueError, yaml.YAMLError, TypeError) as exc:
        return None, str(exc)


_FIELD_PATH = re.compile(r"[^.\[\]]+|\[\d+\]")


def _loc_of(dotted: str) -> Loc:
    """``channels.centres[0]`` → ``("channels", "centres", 0)``; ``eligibility.any.0.q`` likewise."""
    parts: list[Any] = []
    for token in _FIELD_PATH.findall(dotted):
        if token.startswith("["):
            parts.append(int(token[1:-1]))
        else:
            parts.append(int(token) if token.isdigit() else token)
    return tuple(parts)


def _relocate(issues: list[Issue], services: dict[str, tuple[Service, Entry]], out: Path) -> list[Issue]:
    """Issues of the staged catalogue, pointed at the source rows or at the files in ``out``."""
    located: list[Issue] = []
    for issue in issues:
        name = Path(issue.file)
        entry = services.get(name.stem, (None, None))[1] if name.parent.name == "services" else None
        if entry is not None:
            located.append(entry.issue(entry.source_field(_loc_of(issue.field)), issue.message))
        else:
            located.append(Issue(str(out / issue.file), issue.line, issue.field, issue.message))
    return located


def _commit(stage: Path, out: Path, services: dict[str, tuple[Service, Entry]]) -> None:
    for part in SHARED_PARTS:
        if not (out / part).exists() and (stage / part).exists():
            out.mkdir(parents=True, exist_ok=True)
            if (stage / part).is_dir():
                shutil.copytree(stage / part, out / part)
            else:
                shutil.copy2(stage / part, out / part)
    folder = out / "services"
    folder.mkdir(parents=True, exist_ok=True)
    for sid in services:
        target = folder / f"{sid}.yaml"
        partial = folder / f".{sid}.yaml.part"
        shutil.copyfile(stage / "services" / f"{sid}.yaml", partial)
        os.replace(partial, target)

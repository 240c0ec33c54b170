"""Loading and validating the catalogue from its data files.

A catalogue folder holds ``services/*.yaml`` (one service per file),
``questions/*.yaml`` (the eligibility question bank), ``events/*.yaml`` (the
life and business events, each with its checklist of steps) and ``districts.yaml``
(optional: a catalogue without districts has no service centres). Every problem is
reported as an :class:`Issue` naming file, line and field; a catalogue with any
issue is never half-loaded.

A catalogue is bilingual or has one language. In a bilingual catalogue (any
service whose title or summary differs between zh and en) every service needs both
languages in its title, summary, keywords and phrasings; a one-language
catalogue (only English, or only Chinese) gives one and the other reads the same.

Why this module is long: reading with line numbers, the checks across files (references from
services, event checklists, languages) and the ``Catalogue`` they produce belong together: each
check needs the parsed files' line maps, which exist only while reading.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .errors import CatalogInvalid
from .model import AllOf, AnyOf, Centre, Condition, Criterion, District, Event, NotOf, Question, Service, Step

__all__ = ["Catalogue", "Issue", "iter_conditions", "load_catalogue", "validate_catalogue"]

SAMPLE_MARK = "# Sample data"


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in the catalogue data, located as precisely as possible."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


@dataclass
class Catalogue:
    """A validated catalogue: services, question bank, events and districts."""

    services: dict[str, Service]
    questions: dict[str, Question]
    events: dict[str, Event]
    districts: dict[str, District]
    content_hash: str = ""
    centres: dict[str, tuple[District, Centre]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.centres = {c.id: (d, c) for d in self.districts.values() for c in d.centres}

    def service_centres(self, service: Service, district: str | None = None) -> list[tuple[District, Centre]]:
        """The centres where ``service`` is handled, those in ``district`` first.

        A service that names no centre is handled at every district's citizen centre.
        """
        listed = [self.centres[c] for c in service.channels.centres if c in self.centres]
        if not listed:
            listed = [(d, d.centres[0]) for d in self.districts.values()]
        if district:
            here = [pair for pair in listed if pair[0].id == district]
            if not here and district in self.districts and self.offered_in(service, district):
                here = [(self.districts[district], self.districts[district].centres[0])]
            return here + [pair for pair in listed if pair not in here]
        return listed

    def offered_in(self, service: Service, district: str) -> bool:
        return service.districts == "all" or district in service.districts

    def checklist(self, event: Event) -> list[Step]:
        """The event's steps in order; for an event without steps, the services tagged with it
        (one step each, by title, none required before another)."""
        if event.steps:
            return event.ordered_steps()
        tagged = sorted((s for s in self.services.values() if event.id in s.events), key=lambda s: s.title.en.lower())
        return [Step(order=n, service=s.id) for n, s in enumerate(tagged, 1)]

    @property
    def langs(self) -> tuple[str, ...]:
        """The languages the catalogue has: both, or the one a one-language catalogue has."""
        seen: set[str] = set()
        for service in self.services.values():
            seen.update(service.title.langs + service.summary.langs)
            if len(seen) == 2:
                break
        return tuple(lang for lang in ("zh", "en") if lang in seen) or ("zh", "en")


def iter_conditions(criterion: Criterion | None) -> Iterator[Condition]:
    """Every leaf condition of a criteria tree, in order."""
    if criterion is None:
        return
    if isinstance(criterion, Condition):
        yield criterion
    elif isinstance(criterion, AllOf):
        for c in criterion.all:
            yield from iter_conditions(c)
    elif isinstance(criterion, AnyOf):
        for c in criterion.any:
            yield from iter_conditions(c)
    elif isinstance(criterion, NotOf):
        yield from iter_conditions(criterion.not_)


# -- YAML with line numbers -------------------------------------------------------------------

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 50,000 files load in seconds

Path_ = tuple[Any, ...]


class _Lines:
    """Parsed YAML plus the line (1-based) where each path starts."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Path_, int] = {}
        self.duplicates: list[tuple[Path_, int]] = []
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                self._walk(node, ())
            self.data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()

    def _walk(self, node: yaml.Node, path: Path_) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in node.value:
                name = key.value
                if name in seen:
                    self.duplicates.append((path + (name,), key.start_mark.line + 1))
                seen.add(name)
                self.lines[path + (name,)] = key.start_mark.line + 1
                self._walk(value, path + (name,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, path + (index,))

    def line_of(self, loc: Iterable[Any]) -> int | None:
        """Line of the deepest known prefix of a pydantic ``loc`` (union tags are skipped)."""
        best: int | None = self.lines.get(())
        path: Path_ = ()
        for part in loc:
            if path + (part,) in self.lines:
                path = path + (part,)
                best = self.lines[path]
            elif part == "not_" and path + ("not",) in self.lines:
                path = path + ("not",)
                best = self.lines[path]
        return best


def _dotted(loc: Iterable[Any], known: _Lines, missing: bool = False) -> str:
    """The field path of a pydantic ``loc`` as written in the file (``channels.centres[0]``).

    ``missing``: the error is a missing field, whose name (the last part) is not in the file.
    """
    parts: list[str] = []
    path: Path_ = ()
    loc = tuple(loc)
    for n, part in enumerate(loc):
        key = "not" if part == "not_" else part
        if path + (key,) not in known.lines and not (missing and n == len(loc) - 1):
            continue  # a union member's tag, not a field
        path = path + (key,)
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}" if parts else str(key))
    return "".join(parts)


class _Reader:
    """Collects issues while reading files, relative to the catalogue root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.issues: list[Issue] = []
        self.digest = hashlib.sha256()

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def add(self, file: str, line: int | None, field_: str, message: str) -> None:
        self.issues.append(Issue(file, line, field_, message))

    def read(self, path: Path) -> _Lines | None:
        name = self.rel(path)
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.add(name, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            return None
        except OSError as exc:
            self.add(name, None, "", f"cannot read: {exc.strerror}")
            return None
        self.digest.update(name.encode() + b"\0" + raw + b"\0")
        if not text.lstrip().startswith(SAMPLE_MARK):
            self.add(name, 1, "", f"the file must start with a comment '{SAMPLE_MARK} ...' marking it as sample data")
        try:
            parsed = _Lines(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            self.add(name, mark.line + 1 if mark else None, "", f"invalid YAML: {problem}")
            return None
        for key_path, line in parsed.duplicates:
            self.add(name, line, ".".join(map(str, key_path)), "duplicate key (the later value would silently win)")
        return parsed

    def model(self, name: str, parsed: _Lines, data: Any, kind: type[BaseModel], base: Path_ = ()) -> Any:
        try:
            return kind.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = base + tuple(err["loc"])
                message = err["msg"].removeprefix("Value error, ")
                self.add(name, parsed.line_of(loc), _dotted(loc, parsed, missing=err["type"] == "missing"), message)
            return None


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml", ".json"} and p.is_file())


def _read_list(reader: _Reader, path: Path, kind: type[BaseModel], out: dict[str, Any], what: str) -> _Lines | None:
    parsed = reader.read(path)
    if parsed is None:
        return None
    name = reader.rel(path)
    if not isinstance(parsed.data, list):
        reader.add(name, 1, "", f"expected a YAML list of {what}")
        return None
    for index, item in enumerate(parsed.data):
        obj = reader.model(name, parsed, item, kind, (index,))
        if obj is None:
            continue
        if obj.id in out:
            reader.add(name, parsed.line_of((index, "id")), f"[{index}].id", f"duplicate {what} id {obj.id!r}")
            continue
        out[obj.id] = obj
    return parsed


def _check_steps(reader: _Reader, cat: Catalogue, name: str, parsed: _Lines) -> None:
    """Check each event's checklist in an events file: known services, one step per order and
    per service, ``after`` naming earlier steps."""
    for index, item in enumerate(parsed.data or []):
        if not isinstance(item, dict) or item.get("id") not in cat.events:
            continue
        steps = cat.events[item["id"]].steps
        orders: dict[int, int] = {}
        services: dict[str, int] = {}
        for n, step in enumerate(steps):
            at = (index, "steps", n)
            where = f"[{index}].steps[{n}]"
            if step.service not in cat.services:
                reader.add(name, parsed.line_of(at + ("service",)), f"{where}.service", f"unknown service {step.service!r} (see services/)")
            if step.order in orders:
                reader.add(name, parsed.line_of(at + ("order",)), f"{where}.order", f"duplicate order {step.order} (also steps[{orders[step.order]}])")
            if step.service in services:
                reader.add(name, parsed.line_of(at + ("service",)), f"{where}.service", f"{step.service!r} is already steps[{services[step.service]}]")
            orders.setdefault(step.order, n)
            services.setdefault(step.service, n)
        known = {s.order for s in steps}
        for n, step in enumerate(steps):
            for k, before in enumerate(step.after):
                line = parsed.line_of((index, "steps", n, "after", k))
                if before not in known:
                    reader.add(name, line, f"[{index}].steps[{n}].after[{k}]", f"no step with order {before}")
                elif before >= step.order:
                    reader.add(name, line, f"[{index}].steps[{n}].after[{k}]", f"step {before} cannot come first: it is not before step {step.order}")


_BOTH = ("title", "summary")


def _missing_languages(service: Service) -> list[tuple[str, str]]:
    """(field, language) pairs a service lacks, judged as in a bilingual catalogue."""
    out = [(f, lang) for f in _BOTH for lang in ("zh", "en") if lang not in getattr(service, f).langs]
    for f in ("keywords", "phrasings"):
        values = getattr(service, f)
        out += [(f, lang) for lang, given in (("zh", values.zh), ("en", values.en)) if not given]
    return out


def _check_references(reader: _Reader, cat: Catalogue, service: Service, name: str, parsed: _Lines) -> None:
    """Check what one service refers to (events, centres, districts, questions) right after reading it,
    so that a 50,000-file catalogue never holds every file's parse and line map at once."""
    for i, event in enumerate(service.events):
        if event not in cat.events:
            reader.add(name, parsed.line_of(("events", i)), f"events[{i}]", f"unknown event {event!r} (see events/)")
    for i, centre in enumerate(service.channels.centres):
        if centre not in cat.centres:
            reader.add(name, parsed.line_of(("channels", "centres", i)), f"channels.centres[{i}]", f"unknown service centre {centre!r} (see districts.yaml)")
    if service.districts != "all":
        for i, district in enumerate(service.districts):
            if district not in cat.districts:
                reader.add(name, parsed.line_of(("districts", i)), f"districts[{i}]", f"unknown district {district!r}")
    for path, cond in _condition_paths((parsed.data or {}).get("eligibility"), ("eligibility",)):
        _check_condition(reader, cat, name, parsed, path, cond)


def _condition_paths(node: Any, path: Path_) -> Iterator[tuple[Path_, dict[str, Any]]]:
    if not isinstance(node, dict):
        return
    if "q" in node:
        yield path, node
    for key in ("all", "any"):
        for i, child in enumerate(node.get(key) or []):
            yield from _condition_paths(child, path + (key, i))
    if "not" in node:
        yield from _condition_paths(node["not"], path + ("not",))


def _check_condition(reader: _Reader, cat: Catalogue, name: str, parsed: _Lines, path: Path_, cond: dict[str, Any]) -> None:
    field_ = ".".join(str(p) for p in path)
    question = cat.questions.get(cond["q"])
    if question is None:
        reader.add(name, parsed.line_of(path + ("q",)), f"{field_}.q", f"unknown question {cond['q']!r} (see questions/)")
        return
    op, value = cond.get("op", "eq"), cond.get("value")
    values = value if isinstance(value, list) else [value]
    line = parsed.line_of(path + ("value",))
    if op in {"in", "not_in"} and not isinstance(value, list):
        reader.add(name, line, f"{field_}.value", f"operator {op} needs a list")
    if question.type != "date" and op in {"within_days", "before_days", "within_years", "before_years"}:
        reader.add(name, line, f"{field_}.op", f"operator {op} only applies to date questions, not {question.type} question {question.id}")
        return
    if question.type == "choice":
        options = [o.value for o in question.options]
        for v in values:
            if v not in options:
                reader.add(name, line, f"{field_}.value", f"{v!r} is not an option of {question.id} ({', '.join(options)})")
        if op in {"lt", "le", "gt", "ge", "within_days", "before_days"}:
            reader.add(name, line, f"{field_}.op", f"operator {op} does not apply to the choice question {question.id}")
    elif question.type == "boolean":
        if any(not isinstance(v, bool) for v in values) or op not in {"eq", "ne"}:
            reader.add(name, line, f"{field_}.value", f"{question.id} is a yes/no question: use op eq/ne with true or false")
    elif question.type == "number":
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in values):
            reader.add(name, line, f"{field_}.value", f"{question.id} is a number question: the value must be a number")
    elif question.type == "date":
        relative = op in {"within_days", "before_days", "within_years", "before_years"}
        if relative and any(not isinstance(v, int) or isinstance(v, bool) for v in values):
            reader.add(name, line, f"{field_}.value", f"{question.id} is a date question: {op} needs a whole number")
        elif not relative and not all(isinstance(v, (str, dt.date)) and _iso_date(v) for v in values):
            reader.add(
                name,
                line,
                f"{field_}.value",
                f"{question.id} is a date question: compare with an ISO date (YYYY-MM-DD) or use within_days/before_days/within_years/before_years",
            )


def _iso_date(value: object) -> bool:
    if isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def read_catalogue(root: Path) -> tuple[Catalogue | None, list[Issue]]:
    """Read and check the catalogue at ``root``; the catalogue is None when any issue was found."""
    root = Path(root)
    reader = _Reader(root)
    if not root.is_dir():
        return None, [Issue(str(root), None, "", "catalogue folder not found")]
    questions: dict[str, Question] = {}
    events: dict[str, Event] = {}
    districts: dict[str, District] = {}
    for path in _files(root / "questions"):
        _read_list(reader, path, Question, questions, "question")
    event_files: list[tuple[str, _Lines]] = []
    for path in _files(root / "events"):
        parsed_events = _read_list(reader, path, Event, events, "event")
        if parsed_events is not None:
            event_files.append((reader.rel(path), parsed_events))
    districts_file = root / "districts.yaml"
    if districts_file.is_file():  # optional: a catalogue of another place has no districts of ours
        _read_list(reader, districts_file, District, districts, "district")
    centre_ids: dict[str, str] = {}
    for district in districts.values():
        for centre in district.centres:
            if centre.id in centre_ids:
                reader.add("districts.yaml", None, f"{district.id}.centres", f"centre id {centre.id!r} also used in {centre_ids[centre.id]}")
            centre_ids[centre.id] = district.id

    cat = Catalogue({}, questions, events, districts)
    where: dict[str, str] = {}  # service id -> file
    service_files = _files(root / "services")
    if not service_files:
        reader.add("services/", None, "", "no service files found")
    lacking: list[Issue] = []  # reported only when the catalogue turns out bilingual
    for path in service_files:
        parsed = reader.read(path)
        if parsed is None:
            continue
        name = reader.rel(path)
        if not isinstance(parsed.data, dict):
            reader.add(name, 1, "", "expected one service as a YAML mapping")
            continue
        service = reader.model(name, parsed, parsed.data, Service)
        if service is None:
            continue
        if path.stem != service.id:
            reader.add(name, parsed.line_of(("id",)), "id", f"file name must be {service.id}{path.suffix} to match the id")
        if service.id in cat.services:
            reader.add(name, parsed.line_of(("id",)), "id", f"duplicate service id {service.id!r} (also in {where[service.id]})")
            continue
        _check_references(reader, cat, service, name, parsed)
        for f, lang in _missing_languages(service):
            lacking.append(Issue(name, parsed.line_of((f,)), f"{f}.{lang}" if f in _BOTH else f, f"required, but there is no {lang} text"))
        cat.services[service.id] = service
        where[service.id] = name

    if len(cat.langs) == 2:
        reader.issues += lacking
    for name, parsed_events in event_files:
        _check_steps(reader, cat, name, parsed_events)

    cat.content_hash = reader.digest.hexdigest()
    issues = sorted(reader.issues, key=lambda i: (i.file, i.line or 0, i.field))
    return (None if issues else cat), issues


def validate_catalogue(root: Path) -> list[Issue]:
    """Every issue in the catalogue at ``root`` (empty when it is valid)."""
    return read_catalogue(root)[1]


def load_catalogue(root: Path) -> Catalogue:
    """Load a valid catalogue.

    Raises:
        CatalogInvalid: with ``details`` listing every issue as JSON.
    """
    cat, issues = read_catalogue(root)
    if cat is None:
        shown = "; ".join(str(i) for i in issues[:5])
        more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
        raise CatalogInvalid(f"the catalogue at {root} has {len(issues)} problem(s): {shown}{more}", details=[i.to_json() for i in issues])
    return cat

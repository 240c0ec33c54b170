"""Services as CPSV-AP 3 JSON-LD (each also a schema.org ``GovernmentService``), both ways.

Why this module is long: the export and the import are one mapping read in two directions (every
term of the table in docs/cpsv-mapping.md appears once each way); split, the two halves would drift.

The export is one document: a JSON-LD 1.1 ``@context`` with the prefixes below
and an ``@graph`` holding one ``cpsv:PublicService`` node per service. Texts
are language-tagged literals (``{"@value": "...", "@language": "zh"}``). Our
fields without a CPSV-AP term use our own namespace ``csa:``
(:data:`CSA`, documented in ``docs/cpsv-mapping.md``, which has the whole
table).

The import reads that shape back (round trip equal), and a little more: any
prefix names (properties are compared as full IRIs), full IRIs as keys,
plain strings under a context ``@language``, a single service object or a
list instead of ``@graph``, and flattened graphs whose services refer to their
organisation, channels or costs by ``@id``. An entry stands alone: a property
it lacks has no value (unlike a CSV column, nothing is taken from the base
catalogue). Each error names the entry and the property:
``services.jsonld: @graph[3].dct:title: required, but there is no zh text``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, Issue
from ..model import LocalizedText, Service
from .registry import Entry, Loc, Parsed, register_exporter, register_importer

__all__ = ["CONTEXT", "CSA", "SERVICE_BASE", "export_jsonld", "import_jsonld", "service_node"]

CPSV = "http://purl.org/vocab/cpsv#"
CV = "http://data.europa.eu/m8g/"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ELI = "http://data.europa.eu/eli/ontology#"
CSA = "https://portal.example.gov.cn/ns/csa#"
"""Our own namespace, for fields CPSV-AP has no term for (see docs/cpsv-mapping.md)."""
SERVICE_BASE = "https://portal.example.gov.cn/service/"
"""Base of each service node's ``@id``; the id itself is in ``dct:identifier``."""
CNY = "http://publications.europa.eu/resource/authority/currency/CNY"

PREFIXES = {"cpsv": CPSV, "cv": CV, "dct": DCT, "dcat": DCAT, "schema": SCHEMA, "skos": SKOS, "xsd": XSD, "eli": ELI, "csa": CSA}
CONTEXT: dict[str, Any] = {"@version": 1.1, **PREFIXES}
"""The ``@context`` of an exported document."""

# Properties of a service node: our field → compact property name (also used in errors).
PROPERTY = {
    "id": "dct:identifier",
    "sample_data": "csa:sampleData",
    "audience": "dct:audience",
    "theme": "cv:thematicArea",
    "title": "dct:title",
    "summary": "csa:summary",
    "description": "dct:description",
    "events": "cv:isGroupedBy",
    "competent_authority": "cv:hasCompetentAuthority",
    "keywords": "dcat:keyword",
    "phrasings": "csa:examplePhrasing",
    "documents": "cpsv:hasInput",
    "cost": "cv:hasCost",
    "processing_days": "cv:processingTime",
    "legal_basis": "cv:hasLegalResource",
    "channels": "cv:hasChannel",
    "hotline": "cv:contactPoint",
    "districts": "dct:spatial",
    "eligibility": "cv:holdsRequirement",
    "last_reviewed": "csa:lastReviewed",
}
ONLINE, CENTRE = CSA + "channel/online", CSA + "channel/centre"
_AUXILIARY = {CV + t for t in ("PublicOrganisation", "Evidence", "Channel", "Cost", "ContactPoint", "Event", "LifeEvent", "BusinessEvent", "Requirement")} | {
    ELI + "LegalResource",
    SKOS + "Concept",
    DCT + "Location",
    SCHEMA + "ServiceChannel",
}


# -- export -----------------------------------------------------------------------------------


def _lt(text: LocalizedText) -> list[dict[str, str]]:
    """The language-tagged values of a text: only the language it has in a one-language catalogue."""
    return [{"@value": text.get(lang), "@language": lang} for lang in ("zh", "en") if lang in text.langs]


def _lts(zh: list[str], en: list[str]) -> list[dict[str, str]]:
    return [{"@value": t, "@language": "zh"} for t in zh] + [{"@value": t, "@language": "en"} for t in en]


def _concept(kind: str, notation: str, label: LocalizedText | None = None, type_: str = "skos:Concept") -> dict[str, Any]:
    node: dict[str, Any] = {"@id": f"csa:{kind}/{notation}", "@type": type_, "skos:notation": notation}
    if label is not None:
        node["skos:prefLabel"] = _lt(label)
    return node


def service_node(service: Service, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """One service as a ``cpsv:PublicService`` / ``schema:GovernmentService`` node.

    Args:
        service: The service.
        catalogue: When given, event, district and centre labels are added (the import ignores them).
    """
    s = service
    events = catalogue.events if catalogue else {}
    districts = catalogue.districts if catalogue else {}
    centres = catalogue.centres if catalogue else {}
    node: dict[str, Any] = {
        "@id": SERVICE_BASE + s.id,
        "@type": ["cpsv:PublicService", "schema:GovernmentService"],
        "dct:identifier": s.id,
        "csa:sampleData": s.sample_data,
        "dct:audience": _concept("audience", s.audience),
        "cv:thematicArea": _concept("theme", s.theme),
        "dct:title": _lt(s.title),
        "csa:summary": _lt(s.summary),
        "dct:description": _lt(s.description),
        "cv:isGroupedBy": [],
        "dcat:keyword": _lts(s.keywords.zh, s.keywords.en),
        "csa:examplePhrasing": _lts(s.phrasings.zh, s.phrasings.en),
        "cpsv:hasInput": [{"@type": "cv:Evidence", "dct:title": _lt(d)} for d in s.documents],
        "cv:hasChannel": [],
        "cv:contactPoint": {"@type": "cv:ContactPoint", "cv:telephone": s.channels.hotline},
        "dct:spatial": [],
    }
    # Optional in a one-language catalogue: written only when the catalogue states them.
    if s.competent_authority is not None:
        node["cv:hasCompetentAuthority"] = {"@type": "cv:PublicOrganisation", "skos:prefLabel": _lt(s.competent_authority)}
    if s.cost is not None:
        node["cv:hasCost"] = {
            "@type": "cv:Cost",
            "cv:hasValue": 0.0 if s.cost.free else float(s.cost.amount_cny or 0.0),
            "cv:currency": {"@id": CNY},
            "csa:free": s.cost.free,
        }
        if s.cost.note is not None:
            node["cv:hasCost"]["dct:description"] = _lt(s.cost.note)
    if s.processing_days is not None:
        node["cv:processingTime"] = {"@value": f"P{s.processing_days}D", "@type": "xsd:duration"}
    if s.legal_basis is not None:
        node["cv:hasLegalResource"] = {"@type": "eli:LegalResource", "dct:title": _lt(s.legal_basis)}
    if s.last_reviewed is not None:
        node["csa:lastReviewed"] = {"@value": s.last_reviewed.isoformat(), "@type": "xsd:date"}
    for e in s.events:
        event = events.get(e)
        kind = "cv:LifeEvent" if event is None or event.kind == "life" else "cv:BusinessEvent"
        item: dict[str, Any] = {"@id": f"csa:event/{e}", "@type": kind, "dct:identifier": e}
        if event is not None:
            item["dct:title"] = _lt(event.label)
        node["cv:isGroupedBy"].append(item)
    if s.channels.online_url:
        node["cv:hasChannel"].append(
            {"@type": ["cv:Channel", "schema:ServiceChannel"], "dct:type": {"@id": "csa:channel/online"}, "schema:serviceUrl": {"@id": s.channels.online_url}}
        )
    for c in s.channels.centres:
        channel: dict[str, Any] = {"@type": ["cv:Channel", "schema:ServiceChannel"], "dct:type": {"@id": "csa:channel/centre"}, "dct:identifier": c}
        if c in centres:
            channel["schema:name"] = _lt(centres[c][1].name)
        node["cv:hasChannel"].append(channel)
    if s.districts == "all":
        node["dct:spatial"] = _concept("district", "all", LocalizedText(zh="上海市全市", en="All of Shanghai"), "dct:Location")
    else:
        node["dct:spatial"] = [_concept("district", d, districts[d].name if d in districts else None, "dct:Location") for d in s.districts]
    if s.eligibility is not None:
        requirement: dict[str, Any] = {"@type": "cv:Requirement"}
        if s.eligibility.label is not None:
            requirement["dct:title"] = _lt(s.eligibility.label)
        requirement["csa:criterion"] = {"@type": "@json", "@value": s.eligibility.model_dump(mode="json", by_alias=True, exclude_none=True)}
        node["cv:holdsRequirement"] = requirement
    return node


@register_exporter("jsonld")
def export_jsonld(catalogue: Catalogue, out: Path) -> None:
    """Write ``catalogue`` to ``out`` as one CPSV-AP JSON-LD document."""
    doc = {"@context": CONTEXT, "@graph": [service_node(catalogue.services[sid], catalogue) for sid in sorted(catalogue.services)]}
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# -- import -----------------------------------------------------------------------------------


class _Bad(Exception):
    """A property of one entry that cannot be read."""

    def __init__(self, prop: str, message: str) -> None:
        super().__init__(message)
        self.prop = prop
        self.message = message


class _Context:
    """Prefixes, terms and default language of a document, with our prefixes as the fallback."""

    def __init__(self, context: Any) -> None:
        self.names: dict[str, str] = dict(PREFIXES)
        self.language: str | None = None
        for part in context if isinstance(context, list) else [context]:
            if not isinstance(part, dict):
                continue  # a remote context: our prefixes stand in for it
            for key, value in part.items():
                if key == "@language" and isinstance(value, str):
                    self.language = value
                elif isinstance(value, str) and not key.startswith("@"):
                    self.names[key] = value
                elif isinstance(value, dict) and isinstance(value.get("@id"), str):
                    self.names[key] = value["@id"]

    def iri(self, name: str) -> str:
        """The full IRI of a term, compact IRI or IRI."""
        if name.startswith("@"):
            return name
        if name in self.names and ":" not in name:
            return self.iri(self.names[name]) if self.names[name] != name else name
        prefix, sep, local = name.partition(":")
        if sep and not local.startswith("//") and prefix in self.names:
            return self.names[prefix] + local
        return name


def _compact_to_iri(name: str) -> str:
    prefix, _, local = name.partition(":")
    return PREFIXES[prefix] + local


class _Reader:
    """Reads the nodes of one document, following ``@id`` references into the graph."""

    def __init__(self, ctx: _Context, index: dict[str, dict[str, Any]]) -> None:
        self.ctx = ctx
        self.index = index

    def props(self, node: dict[str, Any]) -> dict[str, Any]:
        """The node's properties keyed by full IRI (``schema.org`` over http or https alike)."""
        out: dict[str, Any] = {}
        for key, value in node.items():
            iri = self.ctx.iri(key)
            if iri.startswith("http://schema.org/"):
                iri = SCHEMA + iri.removeprefix("http://schema.org/")
            out[iri] = value
        return out

    def types(self, node: dict[str, Any]) -> set[str]:
        raw = node.get("@type", [])
        return {self.ctx.iri(t) for t in (raw if isinstance(raw, list) else [raw]) if isinstance(t, str)}

    def deref(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"@id"} and isinstance(value["@id"], str):
            return self.index.get(self.ctx.iri(value["@id"]), value)
        return value

    def values(self, props: dict[str, Any], name: str) -> list[Any] | None:
        """The values of a property (compact name of ours), None when the node lacks it."""
        iri = _compact_to_iri(name)
        if iri not in props:
            return None
        raw = props[iri]
        if isinstance(raw, dict) and "@list" in raw:
            raw = raw["@list"]
        return [self.deref(v) for v in (raw if isinstance(raw, list) else [raw]) if v is not None]

    def node(self, value: Any, prop: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Bad(prop, f"expected a node (a JSON object), got {json.dumps(value, ensure_ascii=False)[:60]}")
        return self.props(value)

    def scalar(self, value: Any, prop: str) -> Any:
        if isinstance(value, dict):
            if "@value" not in value:
                raise _Bad(prop, "expected a literal value")
            value = value["@value"]
        if isinstance(value, (dict, list)):
            raise _Bad(prop, "expected a literal value")
        return value

    def texts(self, values: list[Any], prop: str) -> dict[str, list[str]]:
        """Language-tagged strings by language (``zh-Hans`` counts as ``zh``; other languages are skipped)."""
        out: dict[str, list[str]] = {"zh": [], "en": []}
        for v in values:
            if isinstance(v, str) and self.ctx.language:
                lang, text = self.ctx.language, v
            elif isinstance(v, dict) and isinstance(v.get("@value"), str) and isinstance(v.get("@language"), str):
                lang, text = v["@language"], v["@value"]
            else:
                raise _Bad(prop, f'expected language-tagged text like {{"@value": "...", "@language": "zh"}}, got {json.dumps(v, ensure_ascii=False)[:60]}')
            lang = lang.lower().split("-")[0]
            if lang in out:
                out[lang].append(text)
        return out

    def localized(self, values: list[Any], prop: str) -> dict[str, str | None]:
        texts = self.texts(values, prop)
        for lang, items in texts.items():
            if len(items) > 1:
                raise _Bad(prop, f"{len(items)} {lang} texts; expected one")
        return {lang: (items[0] if items else None) for lang, items in texts.items()}

    def notation(self, value: Any, kind: str, prop: str) -> str:
        """The id of a concept: its ``skos:notation``, else the end of its ``@id`` (``csa:KIND/ID``), or a plain string."""
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            props = self.props(value)
            for v in self.values(props, "skos:notation") or self.values(props, "dct:identifier") or []:
                return str(self.scalar(v, prop))
            if isinstance(value.get("@id"), str):
                iri = self.ctx.iri(value["@id"])
                marker = f"{kind}/"
                if marker in iri:
                    return iri.rsplit(marker, 1)[1]
        raise _Bad(prop, f"expected a concept with skos:notation (or an @id ending in {kind}/ID)")


_DURATION = re.compile(r"^P(\d+)D$")


def _read_service(r: _Reader, props: dict[str, Any], entry: Entry, issues: list[Issue]) -> None:
    data = entry.data

    def field(name: str, read: Callable[[list[Any], str], Any], key: str | None = None) -> None:
        values = r.values(props, name)
        if values is None:
            return
        try:
            data[key or _field_of(name)] = read(values, name) if values else None
        except _Bad as exc:
            issues.append(entry.issue(exc.prop, exc.message))

    def one(values: list[Any], prop: str) -> Any:
        if len(values) > 1:
            raise _Bad(prop, f"{len(values)} values; expected one")
        return values[0]

    field("dct:identifier", lambda v, p: str(r.scalar(one(v, p), p)))
    field("csa:sampleData", lambda v, p: r.scalar(one(v, p), p))
    field("dct:audience", lambda v, p: r.notation(one(v, p), "audience", p))
    field("cv:thematicArea", lambda v, p: r.notation(one(v, p), "theme", p))
    field("dct:title", r.localized)
    field("csa:summary", r.localized)
    field("dct:description", r.localized)
    field("cv:isGroupedBy", lambda v, p: [r.notation(e, "event", p) for e in v])
    field("cv:hasCompetentAuthority", lambda v, p: r.localized(r.values(r.node(one(v, p), p), "skos:prefLabel") or [], p))
    field("dcat:keyword", r.texts)
    field("csa:examplePhrasing", r.texts)
    field("cpsv:hasInput", lambda v, p: [r.localized(r.values(r.node(d, p), "dct:title") or [], p) for d in v])
    field("cv:hasCost", lambda v, p: _cost(r, one(v, p), p))
    field("cv:processingTime", lambda v, p: _days(r.scalar(one(v, p), p), p))
    field("cv:hasLegalResource", lambda v, p: r.localized(r.values(r.node(one(v, p), p), "dct:title") or [], p))
    field("dct:spatial", lambda v, p: _districts(r, v, p))
    field("cv:holdsRequirement", lambda v, p: _criterion(r, one(v, p), p))
    field("csa:lastReviewed", lambda v, p: _date(r.scalar(one(v, p), p), p))

    channels: dict[str, Any] = {}
    values = r.values(props, "cv:hasChannel")
    if values is not None:
        try:
            channels.update(_channels(r, values, "cv:hasChannel"))
        except _Bad as exc:
            issues.append(entry.issue(exc.prop, exc.message))
    values = r.values(props, "cv:contactPoint")
    if values is not None:
        phones = [p for v in values for p in r.values(r.props(v) if isinstance(v, dict) else {}, "cv:telephone") or []]
        channels["hotline"] = str(r.scalar(phones[0], "cv:contactPoint")) if phones else None
    data["channels"] = {"online_url": None, "centres": [], "hotline": None, **channels}
    # A JSON-LD entry stands alone: a property it lacks has no value (nothing is taken from the base catalogue).
    for name in PROPERTY:
        if name not in ("sample_data", "hotline"):
            data.setdefault(name, None)


def _field_of(prop: str) -> str:
    return next(k for k, v in PROPERTY.items() if v == prop)


def _cost(r: _Reader, value: Any, prop: str) -> dict[str, Any]:
    props = r.node(value, prop)
    amounts = r.values(props, "cv:hasValue")
    if not amounts:
        raise _Bad(prop, "a cost needs cv:hasValue (0 for a free service)")
    try:
        amount = float(r.scalar(amounts[0], prop))
    except (TypeError, ValueError):
        raise _Bad(prop, "cv:hasValue must be a number") from None
    currency = r.values(props, "cv:currency")
    if currency and (not isinstance(currency[0], dict) or r.ctx.iri(str(currency[0].get("@id", ""))) != CNY):
        raise _Bad(prop, f"only amounts in CNY ({CNY}) can be imported")
    flags = r.values(props, "csa:free")
    free = r.scalar(flags[0], prop) if flags else amount == 0
    if not isinstance(free, bool):
        raise _Bad(prop, "csa:free must be true or false")
    cost: dict[str, Any] = {"free": True, "amount_cny": None} if free else {"free": False, "amount_cny": amount}
    note = r.values(props, "dct:description")
    cost["note"] = r.localized(note, prop) if note else None
    return cost


def _days(value: Any, prop: str) -> int:
    match = _DURATION.match(str(value).strip())
    if not match:
        raise _Bad(prop, f"{value!r} is not a number of days as an ISO 8601 duration like P3D")
    return int(match.group(1))


def _date(value: Any, prop: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _Bad(prop, f"{value!r} is not a date like 2026-06-11") from None


def _districts(r: _Reader, values: list[Any], prop: str) -> str | list[str]:
    ids = [r.notation(v, "district", prop) for v in values]
    return "all" if ids == ["all"] else ids


def _criterion(r: _Reader, value: Any, prop: str) -> Any:
    props = r.node(value, prop)
    raw = r.values(props, "csa:criterion")
    if not raw:
        raise _Bad(prop, "a requirement needs csa:criterion (the criteria tree as a JSON literal)")
    literal = raw[0]
    if isinstance(literal, dict) and "@value" in literal:
        literal = literal["@value"]
    if isinstance(literal, str):
        try:
            literal = json.loads(literal)
        except json.JSONDecodeError as exc:
            raise _Bad(prop, f"csa:criterion is not valid JSON: {exc.msg}") from None
    if not isinstance(literal, dict):
        raise _Bad(prop, "csa:criterion must be a JSON object")
    return literal


def _channels(r: _Reader, values: list[Any], prop: str) -> dict[str, Any]:
    online: list[str] = []
    centres: list[str] = []
    for value in values:
        props = r.node(value, prop)
        kinds = {r.ctx.iri(str(t.get("@id"))) if isinstance(t, dict) else r.ctx.iri(str(t)) for t in r.values(props, "dct:type") or []}
        urls = r.values(props, "schema:serviceUrl") or []
        ids = r.values(props, "dct:identifier") or []
        if ONLINE in kinds or (not kinds and urls):
            if not urls:
                raise _Bad(prop, "an online channel needs schema:serviceUrl")
            url = urls[0]
            online.append(str(url["@id"]) if isinstance(url, dict) and "@id" in url else str(r.scalar(url, prop)))
        elif CENTRE in kinds or (not kinds and ids):
            if not ids:
                raise _Bad(prop, "a service-centre channel needs dct:identifier (the centre id)")
            centres.append(str(r.scalar(ids[0], prop)))
        else:
            raise _Bad(prop, "a channel needs dct:type csa:channel/online (with schema:serviceUrl) or csa:channel/centre (with dct:identifier)")
    if len(online) > 1:
        raise _Bad(prop, f"{len(online)} online channels; expected at most one")
    return {"online_url": online[0] if online else None, "centres": centres}


def _source_field(loc: Loc) -> str:
    """The JSON-LD property of a :class:`Service` field path."""
    if not loc:
        return ""
    if loc[0] == "channels" and len(loc) > 1 and loc[1] == "hotline":
        return PROPERTY["hotline"]
    return PROPERTY.get(str(loc[0]), str(loc[0]))


@register_importer("jsonld")
def import_jsonld(file: Path) -> Parsed:
    """Read a CPSV-AP JSON-LD document of services.

    Returns:
        One entry per ``cpsv:PublicService`` node, and errors naming ``@graph[INDEX].property``.
    """
    name = file.name
    try:
        doc = json.loads(file.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        return Parsed(issues=[Issue(name, exc.lineno, "", f"invalid JSON: {exc.msg} (column {exc.colno})")])
    except UnicodeDecodeError as exc:
        return Parsed(issues=[Issue(name, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")])
    except OSError as exc:
        return Parsed(issues=[Issue(name, None, "", f"cannot read: {exc.strerror}")])

    if isinstance(doc, dict) and "@graph" in doc:
        nodes, label = doc["@graph"], "@graph[{}]"
    elif isinstance(doc, list):
        nodes, label = doc, "[{}]"
    elif isinstance(doc, dict):
        nodes, label = [doc], "@graph[{}]"
    else:
        return Parsed(issues=[Issue(name, None, "", "expected a JSON-LD document: an object with @graph, a node, or a list of nodes")])
    if not isinstance(nodes, list):
        return Parsed(issues=[Issue(name, None, "@graph", "expected a list of nodes")])
    ctx = _Context(doc.get("@context") if isinstance(doc, dict) else None)
    index = {ctx.iri(n["@id"]): n for n in nodes if isinstance(n, dict) and isinstance(n.get("@id"), str)}
    reader = _Reader(ctx, index)
    referenced = {ctx.iri(v["@id"]) for n in nodes if isinstance(n, dict) for v in _refs(n)}

    parsed = Parsed()
    for i, node in enumerate(nodes):
        where = label.format(i)
        entry = Entry(name, None, where, {}, _source_field)
        if not isinstance(node, dict):
            parsed.issues.append(entry.issue("", "expected a node (a JSON object)"))
            continue
        types = reader.types(node)
        if CPSV + "PublicService" not in types:
            if types & _AUXILIARY or (isinstance(node.get("@id"), str) and ctx.iri(node["@id"]) in referenced):
                continue  # an organisation, channel, cost ... that a service refers to
            shown = ", ".join(sorted(types)) or "none"
            parsed.issues.append(entry.issue("@type", f"not a cpsv:PublicService (types: {shown})"))
            continue
        _read_service(reader, reader.props(node), entry, parsed.issues)
        parsed.entries.append(entry)
    return parsed


def _refs(node: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key, value in node.items():
        if key.startswith("@"):
            continue
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, dict) and isinstance(v.get("@id"), str):
                out.append(v)
    return out

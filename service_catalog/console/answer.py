"""What an agent reads out to a caller: a service's facts as one short text in the caller's language (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Centre, District, Service

__all__ = ["MAX_CENTRES_READ", "ready_answer"]

MAX_CENTRES_READ = 2

_WORDS = {
    "zh": {
        "intro": "您要办理的是【{title}】。{summary}",
        "documents": "需要带：{items}。",
        "no_documents": "不需要另外准备材料。",
        "free": "免费办理。",
        "cost": "费用{amount}元。",
        "days": "一般{days}个工作日办结。",
        "same_day": "当场办结。",
        "online": "可以在网上办理：{url}",
        "centre": "{name}，地址{address}，办公时间{hours}，电话{phone}",
        "centres": "线下可以去：{items}。",
        "sep": "；",
        "join": "、",
    },
    "en": {
        "intro": "This is {title}. {summary}",
        "documents": "Please bring: {items}.",
        "no_documents": "No documents are needed.",
        "free": "It is free of charge.",
        "cost": "It costs {amount} yuan.",
        "days": "It usually takes {days} working days.",
        "same_day": "It is done on the spot.",
        "online": "You can apply online at {url}",
        "centre": "{name}, {address}, open {hours}, phone {phone}",
        "centres": "In person: {items}.",
        "sep": "; ",
        "join": "; ",
    },
}


def _amount(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def ready_answer(service: Service, centres: Sequence[tuple[District, Centre]], lang: str) -> str:
    """The answer to read to the caller: what the service is, documents, cost, time, where and online.

    Args:
        service: the service.
        centres: the centres to mention, the caller's district first; the first two are read.
        lang: ``zh`` or ``en``.
    """
    w = _WORDS["zh" if lang == "zh" else "en"]
    parts = [w["intro"].format(title=service.title.get(lang), summary=service.summary.get(lang))]
    documents = [d.get(lang) for d in service.documents]
    parts.append(w["documents"].format(items=w["join"].join(documents)) if documents else w["no_documents"])
    if service.cost is not None:  # a one-language catalogue may not state cost or time
        if service.cost.free or not service.cost.amount_cny:
            parts.append(w["free"])
        else:
            parts.append(w["cost"].format(amount=_amount(service.cost.amount_cny)))
    if service.processing_days is not None:
        parts.append(w["days"].format(days=service.processing_days) if service.processing_days else w["same_day"])
    read = [
        w["centre"].format(name=c.name.get(lang), address=c.address.get(lang), hours=c.hours.get(lang), phone=c.phone) for _, c in centres[:MAX_CENTRES_READ]
    ]
    if read:
        parts.append(w["centres"].format(items=w["sep"].join(read)))
    if service.channels.online_url:
        parts.append(w["online"].format(url=service.channels.online_url))
    return ("" if lang == "zh" else " ").join(parts)

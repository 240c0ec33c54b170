"""Service-centre handoff: where to go in person, for a service and a district (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..catalogue import Catalogue
from ..model import Centre, District, Service

__all__ = ["Referral", "refer"]

NEAREST = 3  # centres offered when none is in the citizen's district
WITHOUT_DISTRICT = 5


@dataclass(frozen=True)
class Referral:
    """The centres to offer; ``in_district`` says whether they are in the asked-for district."""

    centres: list[tuple[District, Centre, float | None]]
    in_district: bool


def _point(district: District) -> tuple[float, float] | None:
    located: list[tuple[float, float]] = []
    for c in district.centres:
        if c.lat is not None and c.lon is not None:
            located.append((c.lat, c.lon))
    if not located:
        return None
    return sum(p[0] for p in located) / len(located), sum(p[1] for p in located) / len(located)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def refer(cat: Catalogue, service: Service, district: str | None) -> Referral:
    """The centres handling ``service`` in ``district``, else the nearest listed ones.

    Args:
        cat: the catalogue.
        service: the service.
        district: a district id, or None for the service's centres in catalogue order.

    Returns:
        The centres with their distance in km from the district (None when unknown or
        when no district was given).
    """
    listed = cat.service_centres(service, district)
    if district is None or district not in cat.districts:
        return Referral([(d, c, None) for d, c in listed[:WITHOUT_DISTRICT]], False)
    here: list[tuple[District, Centre, float | None]] = [(d, c, None) for d, c in listed if d.id == district]
    if here:
        return Referral(here, True)
    origin = _point(cat.districts[district])
    if origin is None:
        return Referral([(d, c, None) for d, c in listed[:NEAREST]], False)
    ranked: list[tuple[float, str, District, Centre]] = []
    for d, c in listed:
        distance = _km(origin, (c.lat, c.lon)) if c.lat is not None and c.lon is not None else math.inf
        ranked.append((distance, c.id, d, c))
    ranked.sort(key=lambda t: (t[0], t[1]))
    return Referral([(d, c, None if math.isinf(km) else round(km, 1)) for km, _, d, c in ranked[:NEAREST]], False)

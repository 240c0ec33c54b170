"""Service-centre referral: the district's centres, else the nearest listed ones (pure)."""

from __future__ import annotations

from service_catalog.catalogue import Catalogue
from service_catalog.handoff.centres import NEAREST, refer


def test_centres_in_the_district(catalogue: Catalogue) -> None:
    referral = refer(catalogue, catalogue.services["pension-claim"], "pudong")
    assert referral.in_district
    assert referral.centres and all(d.id == "pudong" for d, _, _ in referral.centres)


def test_nearest_listed_centres_when_the_service_is_not_offered_there(catalogue: Catalogue) -> None:
    service = catalogue.services["talent-rental-subsidy"]
    assert not catalogue.offered_in(service, "jingan")
    referral = refer(catalogue, service, "jingan")
    assert not referral.in_district and len(referral.centres) == NEAREST
    distances = [km for _, _, km in referral.centres]
    assert all(km is not None and km > 0 for km in distances)
    assert distances == sorted(distances)  # type: ignore[type-var]
    listed = set(service.channels.centres)
    assert {c.id for _, c, _ in referral.centres} <= listed


def test_without_a_district_the_listed_centres(catalogue: Catalogue) -> None:
    service = catalogue.services["pension-claim"]
    referral = refer(catalogue, service, None)
    assert not referral.in_district
    assert [c.id for _, c, _ in referral.centres] == service.channels.centres[:5]

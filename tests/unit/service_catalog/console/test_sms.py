"""Phone numbers for the SMS gateway: normalised, refused with a field, masked."""

from __future__ import annotations

import logging

import pytest

from service_catalog.console.sms import LoggingGateway, mask_phone, normalise_phone
from service_catalog.errors import InvalidRequest


@pytest.mark.parametrize("raw", ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "008613812345678"])
def test_mainland_mobiles_are_normalised(raw: str) -> None:
    assert normalise_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "021-64860110", "", None, 13812345678])
def test_other_numbers_are_refused_naming_the_field(raw: object) -> None:
    with pytest.raises(InvalidRequest) as caught:
        normalise_phone(raw)
    assert caught.value.field == "phone"


async def test_the_logging_gateway_logs_only_the_masked_number(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    message_id = await LoggingGateway().send("13812345678", "your link: https://example/?h=secret-handle")
    assert message_id
    text = " ".join(r.getMessage() for r in caplog.records)
    assert mask_phone("13812345678") == "138****5678" and "138****5678" in text
    assert "13812345678" not in text and "secret-handle" not in text

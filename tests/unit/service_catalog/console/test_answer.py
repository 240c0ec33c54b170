"""The ready answer an agent reads out: the service's facts in the caller's language."""

from __future__ import annotations

from service_catalog.catalogue import Catalogue
from service_catalog.console.answer import ready_answer


def test_answer_in_chinese_names_documents_cost_time_centres_and_the_link(catalogue: Catalogue) -> None:
    service = catalogue.services["passport-application"]
    centres = catalogue.service_centres(service, "pudong")
    text = ready_answer(service, centres, "zh")
    assert text.startswith("您要办理的是【普通护照申请】。")
    assert "需要带：本人居民身份证原件、" in text and "费用120元。" in text and "一般7个工作日办结。" in text
    first = centres[0][1]
    assert f"{first.name.zh}，地址{first.address.zh}，办公时间{first.hours.zh}，电话{first.phone}" in text
    assert centres[2][1].name.zh not in text  # two centres are read, not the whole list
    assert text.endswith(f"可以在网上办理：{service.channels.online_url}")


def test_answer_in_english_for_a_free_service_without_centres(catalogue: Catalogue) -> None:
    service = next(s for s in catalogue.services.values() if s.cost.free and s.processing_days == 0)
    text = ready_answer(service, [], "en")
    assert text.startswith(f"This is {service.title.en}.") and "It is free of charge." in text and "It is done on the spot." in text
    assert "In person:" not in text and not any("\u4e00" <= ch <= "\u9fff" for ch in text)

"""``POST /api/picks/resolve`` (and the console's ``/agent/api/picks/resolve``): who may call, a bad
body named by field, and the catalogue's own titles matched in both languages."""

from __future__ import annotations

from agentkit import add_agent, login
from aiohttp.test_utils import TestClient
from testkit import INTERNAL

SHOWN = [
    {"id": "birth-registration", "title": "Register a birth"},
    {"id": "business-registration", "title": "Register a business"},
    {"id": "adoption-registration", "title": "Register an adoption"},
]


async def test_the_action_server_resolves_a_pick_by_place_and_from_the_end(client: TestClient) -> None:
    response = await client.post("/api/picks/resolve", json={"text": "number 2", "lang": "en", "shown": SHOWN}, headers=INTERNAL)
    assert response.status == 200
    assert await response.json() == {"kind": "picked", "count": 3, "id": "business-registration", "position": 2, "by": "place"}
    response = await client.post("/api/picks/resolve", json={"text": "最后一个", "lang": "zh", "shown": SHOWN}, headers=INTERNAL)
    assert (await response.json())["id"] == "adoption-registration"


async def test_a_place_beyond_the_list_is_out_of_range(client: TestClient) -> None:
    response = await client.post("/api/picks/resolve", json={"text": "number 5", "shown": SHOWN}, headers=INTERNAL)
    assert await response.json() == {"kind": "out_of_range", "count": 3, "asked": 5}


async def test_the_catalogues_own_title_in_the_other_language_picks(client: TestClient) -> None:
    services = await (await client.get("/api/services", params={"per_page": 100})).json()
    birth = next(s for s in services["items"] if s["id"] == "birth-registration")
    zh_title = birth["title"]["zh"] if isinstance(birth["title"], dict) else None
    assert zh_title, birth
    shown = [{"id": "business-registration", "title": "Register a business"}, {"id": "birth-registration"}]  # no title sent
    response = await client.post("/api/picks/resolve", json={"text": zh_title, "lang": "zh", "shown": shown}, headers=INTERNAL)
    assert await response.json() == {"kind": "picked", "count": 2, "id": "birth-registration", "position": 2, "by": "title"}


async def test_without_the_service_credential_it_is_refused(client: TestClient) -> None:
    body = {"text": "number 2", "shown": SHOWN}
    assert (await client.post("/api/picks/resolve", json=body)).status == 401
    wrong = await client.post("/api/picks/resolve", json=body, headers={"X-Internal-Token": "in-wrong-wrong-wrong"})
    assert wrong.status == 401 and "X-Internal-Token" in (await wrong.json())["message"]


async def test_a_signed_in_agent_resolves_on_the_console_path_only(client: TestClient) -> None:
    body = {"text": "the third one", "shown": SHOWN}
    assert (await client.post("/agent/api/picks/resolve", json=body)).status == 401  # not signed in
    await add_agent(client)
    await login(client)
    response = await client.post("/agent/api/picks/resolve", json=body)  # resolving changes nothing: no CSRF token needed
    assert response.status == 200 and (await response.json())["id"] == "adoption-registration"


async def test_a_bad_body_is_refused_naming_the_field(client: TestClient) -> None:
    cases = [
        ({"shown": SHOWN}, "text"),
        ({"text": "", "shown": SHOWN}, "text"),
        ({"text": "number 1", "shown": []}, "shown"),
        ({"text": "number 1", "shown": [{"title": "no id"}]}, "shown[0].id"),
        ({"text": "number 1", "lang": "fr", "shown": SHOWN}, "lang"),
        ({"text": "x" * 501, "shown": SHOWN}, "text"),
    ]
    for body, field in cases:
        response = await client.post("/api/picks/resolve", json=body, headers=INTERNAL)
        assert response.status == 400, body
        answer = await response.json()
        assert answer["field"] == field, (body, answer)
    not_json = await client.post("/api/picks/resolve", data="number 1", headers={**INTERNAL, "Content-Type": "application/json"})
    assert not_json.status == 400

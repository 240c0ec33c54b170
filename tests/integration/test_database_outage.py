"""The service on PostgreSQL: a database outage is a clear 503 for the requests that need it, and the
service recovers by itself when the server returns (no restart of the catalogue service)."""

from __future__ import annotations

from dataclasses import replace

from aiohttp.test_utils import TestClient
from engines import PostgresCluster
from pgkit import fresh_pg_database
from testkit import READ_TOKEN, bearer

from service_catalog.http.app import create_app
from service_catalog.settings import Settings


async def test_a_database_outage_is_a_503_then_the_service_recovers(aiohttp_client, app_settings: Settings, pg_cluster: PostgresCluster) -> None:  # type: ignore[no-untyped-def]
    settings = replace(app_settings, database_url=fresh_pg_database(pg_cluster), database_pool_timeout=2)
    client: TestClient = await aiohttp_client(create_app(settings))
    tickets = await client.get("/api/tickets", headers=bearer(READ_TOKEN))
    assert tickets.status == 200 and (await tickets.json())["total"] == 0
    pg_cluster.stop()
    try:
        down = await client.get("/api/tickets", headers=bearer(READ_TOKEN))
        body = await down.json()
        assert down.status == 503 and body["error"] == "database_unavailable", body
        assert pg_cluster.password not in await down.text()
        assert (await client.get("/api/search", params={"q": "pension"})).status == 200  # search needs no database
    finally:
        pg_cluster.start()
    again = await client.get("/api/tickets", headers=bearer(READ_TOKEN))
    assert again.status == 200

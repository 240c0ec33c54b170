"""schemathesis against the catalogue service's own OpenAPI document: every operation, with the
credentials each one needs, gets schema-valid and schema-invalid requests; no answer may be a 5xx,
an undocumented status, or a body that breaks its schema (tests/fuzz/fuzzkit.py says how).

The scaled stack (two catalogue replicas on PostgreSQL, tests/conftest.py ``scaled_stack``) is
fuzzed the same way by ``test_the_scaled_stack``. Run against another service with ``CATALOG_FUZZ_URL=http://host:port`` (and its tokens in
``CATALOG_ADMIN_READ_TOKEN`` ... ``CATALOG_INTERNAL_TOKEN``): ``test_a_running_service``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from fuzzkit import AGENT_PASSWORD, Target, fuzz, served_catalogue
from testkit import INTERNAL_TOKEN, KEYS_TOKEN, OPERATE_TOKEN, PORTAL_TOKEN, READ_TOKEN, REPO_ROOT

from service_catalog.http.openapi import openapi_document

pytestmark = pytest.mark.slow

TOKENS = {"adminRead": READ_TOKEN, "adminOperate": OPERATE_TOKEN, "adminKeys": KEYS_TOKEN, "portalToken": PORTAL_TOKEN, "internalToken": INTERNAL_TOKEN}


def report(failures: dict[str, list[str]]) -> str:
    return "\n".join(f"{op}: {len(found)} failing example(s)\n  " + "\n  ".join(found[:3]) for op, found in failures.items())


def test_every_operation_of_the_embedded_service(tmp_path: Path, demo_catalog_path: Path, demo_index_files: Path) -> None:
    shutil.copytree(demo_index_files, tmp_path / "index")
    settings = {
        "catalog_path": demo_catalog_path,
        "model": "fake-32",
        "admin_read_token": READ_TOKEN,
        "admin_operate_token": OPERATE_TOKEN,
        "admin_keys_token": KEYS_TOKEN,
        "portal_token": PORTAL_TOKEN,
        "internal_token": INTERNAL_TOKEN,
        "rasa_auth_token": "fuzz-rasa-token",
        "rate_limits": "off",  # the fuzzer is one address sending hundreds of requests a minute
    }
    with served_catalogue(settings, tmp_path) as (base_url, app):
        served = requests.get(f"{base_url}/openapi.json", timeout=30).json()
        assert served["paths"] == openapi_document(app)["paths"]  # the document served is the app's own
        failures = fuzz(Target(base_url, TOKENS, ("fuzzer", AGENT_PASSWORD)))
    assert failures == {}, report(failures)


@pytest.mark.skipif(not os.environ.get("CATALOG_FUZZ_URL"), reason="set CATALOG_FUZZ_URL (and the tokens) to fuzz a running service")
def test_a_running_service() -> None:
    failures = fuzz(Target.from_env())
    assert failures == {}, report(failures)


@pytest.mark.e2e
def test_the_scaled_stack(scaled_stack: Any) -> None:
    """Both catalogue replicas on PostgreSQL, through the loopback balancer that trusted callers use
    (the public edge publishes only part of the API, so fuzzing it would mostly meet 404s)."""
    env = {**os.environ, **scaled_stack._env("catalogue")}
    added = subprocess.run(
        [sys.executable, "-m", "service_catalog", "agents", "add", "fuzzer", "--role", "supervisor"],
        input=AGENT_PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
    )
    assert added.returncode == 0 or "exists" in added.stderr, added.stderr
    tokens = {**TOKENS, "internalToken": scaled_stack.internal_token}
    failures = fuzz(Target(scaled_stack.catalogue_lb_url, tokens, ("fuzzer", AGENT_PASSWORD)))
    assert failures == {}, report(failures)

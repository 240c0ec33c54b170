"""The deployment files are proven, not just written: the compose file passes the compose tool's own
validation, and each image installs the project as `make setup` does and runs the command
scripts/scaled.py runs for that process."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
from scaled import actions_argv, catalogue_argv, edge_config, rasa_argv  # noqa: E402

DOCKER = REPO / "docker"
SECRETS = {
    name: "x" * 40 for name in ("CATALOG_INTERNAL_TOKEN", "RASA_AUTH_TOKEN", "RASA_REST_TOKEN", "WIDGET_SESSION_SECRET", "POSTGRES_PASSWORD", "REDIS_PASSWORD")
}


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.fail("docker-compose is not installed (.ci/run installs it: apt-get install docker-compose)")
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run([tool, "-f", str(DOCKER / "compose.yml"), "config"], capture_output=True, text=True, env={**clean, **env}, timeout=60)


def image_command(dockerfile: str) -> list[str]:
    line = next(line for line in (DOCKER / dockerfile).read_text().splitlines() if line.startswith("CMD "))
    return list(json.loads(line[4:]))


def test_the_compose_file_is_valid_and_only_the_edge_publishes_a_port() -> None:
    done = compose_config(SECRETS)
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load(done.stdout)
    services = config["services"]
    assert sorted(services) == ["actions", "catalogue", "edge", "postgres", "rasa", "redis"]
    assert [name for name, s in services.items() if s.get("ports")] == ["edge"]
    for name in ("rasa", "actions", "catalogue"):
        assert services[name]["deploy"]["replicas"] == 2, name
    rasa = services["rasa"]["environment"]
    assert rasa["REDIS_PASSWORD"] == SECRETS["REDIS_PASSWORD"] and rasa["POSTGRES_EVENTS_DB"] == "events"
    assert services["catalogue"]["environment"]["CATALOG_DATABASE_URL"].startswith("postgresql://")
    # Every variable the scaled endpoints file reads is given to Rasa.
    wanted = set(re.findall(r"\$\{(\w+)\}", (REPO / "bot" / "endpoints-scaled.yml").read_text()))
    assert wanted <= set(rasa), wanted - set(rasa)


def test_the_compose_file_refuses_to_start_without_its_secrets() -> None:
    done = compose_config({k: v for k, v in SECRETS.items() if k != "REDIS_PASSWORD"})
    assert done.returncode != 0 and "REDIS_PASSWORD" in done.stderr


def test_each_image_runs_the_command_of_the_scaled_stack() -> None:
    assert image_command("actions.Dockerfile") == actions_argv(5055)
    assert " ".join(catalogue_argv(8080)) in image_command("catalogue.Dockerfile")[-1]
    shell = image_command("rasa.Dockerfile")[-1]
    assert shell.startswith("python scripts/scaled.py credentials --out /tmp/credentials.yml && exec ")  # the generated channel credentials
    assert shell.endswith(" ".join(rasa_argv("models", 5005, "/tmp/credentials.yml", token='"$RASA_AUTH_TOKEN"', host="0.0.0.0")))


@pytest.mark.parametrize("dockerfile", ["actions.Dockerfile", "catalogue.Dockerfile", "rasa.Dockerfile"])
def test_each_image_installs_the_project_as_setup_does(dockerfile: str) -> None:
    text = (DOCKER / dockerfile).read_text()
    if dockerfile == "rasa.Dockerfile":
        assert "-r requirements/rasa.txt -c requirements/rasa.lock" in text
    else:
        assert "-c requirements/app.lock" in text and "citizen-service-assistant" in text  # the project itself
        assert "USER 1001" in text
    if dockerfile == "actions.Dockerfile":
        imported = set()
        for path in (REPO / "actions").glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    imported |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
        third_party = imported - set(sys.stdlib_module_names) - {"actions", "common", "rasa_sdk", "sanic", "__future__"}
        installs = {"aiohttp", "prometheus_client", "rapidfuzz"}
        assert third_party <= installs, third_party - installs
        assert all(name.replace("_", "-") in text for name in installs)


def test_the_local_edge_and_the_compose_edge_share_their_rules(tmp_path: Path) -> None:
    config = edge_config(8000, [5005, 5006], [5055], [8080], {"rasa_lb": 1, "actions_lb": 2, "catalogue_lb": 3})
    assert f"include {DOCKER / 'edge.conf'};" in config
    assert "include /etc/nginx/edge.conf;" in (DOCKER / "nginx.conf").read_text()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed (.ci/run installs nginx-light)")
    from engines import NginxEdge

    edge = NginxEdge(tmp_path / "edge", config)
    edge.check()  # nginx -t accepts the generated file
    edge.stop()

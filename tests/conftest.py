"""Shared fixtures: the demo catalogue, settings for a fast in-process app, and its test client;
the trained Rasa model and the three real processes (Rasa, actions, catalogue) for e2e and browser tests."""

from __future__ import annotations

import os

# Nothing in the tests may reach a model hub: set before anything imports huggingface_hub,
# which reads it once (`make test` exports it too).
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.configuration
import pytest
from aiohttp.test_utils import TestClient

from service_catalog.catalogue import Catalogue, load_catalogue
from service_catalog.http.app import create_app
from service_catalog.search import build_index
from service_catalog.search.embedder import make_embedder
from service_catalog.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_CATALOG = REPO_ROOT / "service_catalog" / "data"
SHARED = REPO_ROOT.parent / "shared"

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from channels.delay_proxy import DelayProxy  # noqa: E402
from pgkit import database_url, fresh_pg_database, pg_cluster  # noqa: E402, F401  (PostgreSQL fixtures: tests/pgkit.py)
from stack import Stack, free_port  # noqa: E402
from testkit import INTERNAL_TOKEN, KEYS_TOKEN, OPERATE_TOKEN, PORTAL_TOKEN, READ_TOKEN  # noqa: E402


@pytest.fixture(scope="session")
def demo_catalog_path() -> Path:
    """The demo catalogue folder shipped in the package."""
    return DEMO_CATALOG


@pytest.fixture(scope="session")
def catalogue(demo_catalog_path: Path) -> Catalogue:
    """The demo catalogue, loaded once per session; tests must not change it."""
    return load_catalogue(demo_catalog_path)


@pytest.fixture(scope="session")
def demo_index_files(tmp_path_factory: pytest.TempPathFactory, demo_catalog_path: Path, catalogue: Catalogue) -> Path:
    """The demo catalogue's index files for the fake-32 model, built once per session."""
    data_dir = tmp_path_factory.mktemp("index-cache")
    build_index(Settings(catalog_path=demo_catalog_path, data_dir=data_dir, model="fake-32"), catalogue, make_embedder("fake-32"))
    return data_dir / "index"


@pytest.fixture
def app_settings(request: pytest.FixtureRequest, tmp_path: Path, demo_catalog_path: Path, demo_index_files: Path) -> Settings:
    """Settings for an app on the demo catalogue with the fast fake embedder and files under tmp_path.

    The index files built once per session are copied in, so the app starts by loading them.
    ``CATALOG_TEST_DATABASE=postgresql`` gives each app a fresh PostgreSQL database instead of SQLite.
    """
    shutil.copytree(demo_index_files, tmp_path / "index")
    url = ""
    if os.environ.get("CATALOG_TEST_DATABASE") == "postgresql":
        url = fresh_pg_database(request.getfixturevalue("pg_cluster"))
    return Settings(
        catalog_path=demo_catalog_path,
        data_dir=tmp_path,
        database_url=url,
        model="fake-32",
        admin_read_token=READ_TOKEN,
        admin_operate_token=OPERATE_TOKEN,
        admin_keys_token=KEYS_TOKEN,
        portal_token=PORTAL_TOKEN,
        internal_token=INTERNAL_TOKEN,
    )


@pytest.fixture
async def client(aiohttp_client, app_settings: Settings) -> TestClient:  # type: ignore[no-untyped-def]
    """A test client of ``create_app(app_settings)``, started (search index loaded)."""
    return await aiohttp_client(create_app(app_settings))


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The Rasa model for the current bot inputs (trained by scripts/train.sh when missing)."""
    if not (REPO_ROOT / ".venv-rasa/bin/rasa").exists():
        pytest.fail(".venv-rasa is missing: run `make setup` (make test does it)")
    out = subprocess.run(["bash", str(REPO_ROOT / "scripts/train.sh")], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        pytest.fail(f"training failed:\n{out.stderr[-3000:]}")
    return REPO_ROOT / out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def stack_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo catalogue's search index for the configured (real) model, built once per run and copied into
    each stack's data folder, so a stack's catalogue service loads it instead of building it again (1-3 min)."""
    data_dir = tmp_path_factory.mktemp("stack-index")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "CATALOG_DATA_DIR": str(data_dir)}
    out = subprocess.run([sys.executable, "-m", "service_catalog", "index", "build"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        pytest.fail(f"building the search index failed:\n{out.stderr[-3000:]}")
    return data_dir / "index"


@pytest.fixture(scope="session")
def start_stack(trained_model: Path, stack_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Stack]]:
    """Start a new Stack on free ports; every stack it started is stopped at the end of the session.

    Use it directly (``with start_stack() as own:``) for a test that breaks its stack; others share ``stack``.
    ``extra_env`` adds variables (a messaging platform's credentials); ``proxy`` (a ``DelayProxy``)
    is put between the action server and the catalogue service.
    """
    started: list[Stack] = []

    def start(extra_env: dict[str, str] | None = None, proxy: DelayProxy | None = None) -> Stack:
        tmp = tmp_path_factory.mktemp("stack")
        shutil.copytree(stack_index, tmp / "data" / "index")
        catalogue_port = free_port()
        if proxy is not None:
            proxy.target = f"http://127.0.0.1:{catalogue_port}"
        s = Stack(
            trained_model,
            rasa_port=free_port(),
            actions_port=free_port(),
            catalogue_port=catalogue_port,
            log_dir=tmp / "log",
            data_dir=tmp / "data",  # never the repository's var/
            extra_env={
                "HF_HUB_OFFLINE": "1",
                "CATALOG_ADMIN_READ_TOKEN": READ_TOKEN,
                "CATALOG_ADMIN_OPERATE_TOKEN": OPERATE_TOKEN,
                "CATALOG_ADMIN_KEYS_TOKEN": KEYS_TOKEN,
                **(extra_env or {}),
            },
            actions_catalogue_url=proxy.url if proxy is not None else None,
        )
        started.append(s)
        s.start(timeout=300)
        return s

    try:
        yield start
    finally:
        for s in started:
            s.stop()


class Platforms:
    """The local fakes of the messaging platforms (tests/channels/), one of each."""

    def __init__(self) -> None:
        from channels.fake_telegram import FakeTelegram
        from channels.fake_wechat import FakeWeChat, FakeWeCom

        self.wechat = FakeWeChat()
        self.wecom = FakeWeCom()
        self.telegram = FakeTelegram()
        self.all: list[Any] = [self.wechat, self.wecom, self.telegram]

    def env(self) -> dict[str, str]:
        return {k: v for fake in self.all for k, v in fake.env().items()}


@pytest.fixture(scope="session")
def platforms() -> Iterator[Platforms]:
    """WeChat, WeCom and Telegram played locally; the shared ``stack`` runs their channels."""
    fakes = Platforms()
    for fake in fakes.all:
        fake.start()
    try:
        yield fakes
    finally:
        for fake in fakes.all:
            fake.stop()


@pytest.fixture(scope="session")
def catalogue_delay() -> Iterator[DelayProxy]:
    """The proxy between the shared stack's action server and catalogue: ``with catalogue_delay.slow(6): ...``."""
    proxy = DelayProxy(free_port(), "http://127.0.0.1:9")
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture(scope="session")
def stack(start_stack: Callable[..., Stack], platforms: Platforms, catalogue_delay: DelayProxy) -> Stack:
    """Rasa (with every messaging channel, talking to the fakes), the action server (through the delay proxy)
    and the catalogue service, started once per test run and shared; do not stop it."""
    shared = start_stack(extra_env=platforms.env(), proxy=catalogue_delay)
    for fake in platforms.all:
        fake.bind(f"http://127.0.0.1:{shared.ports['rasa']}")
    return shared


@pytest.fixture(scope="session")
def scaled_wechat() -> Iterator[Any]:
    """A fake WeChat of its own for the scaled stack (tests/scaled/); bind it to a replica before sending."""
    from channels.fake_wechat import FakeWeChat

    fake = FakeWeChat()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="session")
def scaled_stack(trained_model: Path, stack_index: Path, tmp_path_factory: pytest.TempPathFactory, scaled_wechat: Any) -> Iterator[Any]:
    """The scaled stack (scripts/scaled.py): PostgreSQL, Redis, the nginx edge, 2 × Rasa, actions, catalogue,
    started once per run for tests/scaled/ and shared. Fault tests put back what they break.

    The catalogue is a copy of the demo catalogue (the reload test edits it); the WeChat channel talks to
    ``scaled_wechat``.
    """
    from engines import traversable_tmpdir
    from scaled import ScaledStack

    tmp = tmp_path_factory.mktemp("scaled")
    catalogue_copy = tmp / "catalogue"
    shutil.copytree(DEMO_CATALOG, catalogue_copy)
    engines = traversable_tmpdir("scaled-engines-")
    shutil.copytree(stack_index, tmp / "data" / "catalogue" / "index")  # the same catalogue content: loaded, not rebuilt
    s = ScaledStack(
        trained_model,
        tmp / "data",
        tmp / "log",
        replicas=2,
        engines_dir=engines,
        durable=False,
        edge_rate_limits=False,
        extra_env={
            "CATALOG_ADMIN_READ_TOKEN": READ_TOKEN,
            "CATALOG_ADMIN_OPERATE_TOKEN": OPERATE_TOKEN,
            "CATALOG_ADMIN_KEYS_TOKEN": KEYS_TOKEN,
            "CATALOG_PORTAL_TOKEN": PORTAL_TOKEN,
            "CATALOG_CATALOG_PATH": str(catalogue_copy),
            **scaled_wechat.env(),
        },
    )
    try:
        s.start(timeout=900)
        yield s
    finally:
        s.stop()
        shutil.rmtree(engines, ignore_errors=True)


# -- tests never write into the work tree ---------------------------------------------------------

hypothesis.configuration.set_hypothesis_home_dir(tempfile.mkdtemp(prefix="hypothesis-"))  # not .hypothesis/ in the repository
settings_profile = hypothesis.settings(database=None)
hypothesis.settings.register_profile("no-database", settings_profile)
hypothesis.settings.load_profile("no-database")
# What building (not testing) leaves in the tree: the environments, trained models and their logs, caches of the tools.
BUILD_OUTPUTS = re.compile(r"^(\.venv/|\.venv-rasa/|models/|var/log/train-|\.rasa/|.*__pycache__/|\.mypy_cache/|\.ruff_cache/|.*\.egg-info/)")


def _tree() -> set[str]:
    out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], cwd=REPO_ROOT, capture_output=True, text=True)
    return {line[3:] for line in out.stdout.splitlines() if not BUILD_OUTPUTS.match(line[3:])} if out.returncode == 0 else set()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_TREE] = _tree()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_TREE, None)
    if before is None:
        return
    written = sorted(_tree() - before)
    if written:
        print("\nerror: the tests wrote into the work tree (use tmp_path or a temporary folder):\n  " + "\n  ".join(written[:20]), file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_TREE = pytest.StashKey[set[str]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser tests last.

    Playwright's sync API keeps an event loop running in this thread while its session-scoped
    fixtures live, and pytest-asyncio cannot start a loop inside a running one.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)

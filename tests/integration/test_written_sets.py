"""Sets written by two people who never saw the project (evaluation/written/), with the real packaged
model (slow).

The ``holdout`` set (w2) is judged against floors set BELOW what it measured before anything was
widened for the written sets (docs/evaluation.md has both figures), or at the issue's own floor
(0.85 for out of scope): they catch a regression without having been fitted to the set. The ``dev``
set (w1) was widened for, so its floors only guard what the widening won.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service_catalog.catalogue import load_catalogue
from service_catalog.search import SearchIndex, build_index
from service_catalog.search.embedder import make_embedder
from service_catalog.settings import load_settings
from service_catalog.tooling.written_eval import WRITTEN_DIR, evaluate_written, figures, load_written_set

pytestmark = pytest.mark.slow

Figures = dict[str, dict[str, float]]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, stack_index: Path) -> SearchIndex:
    """The real model's index of the demo catalogue, copied from the run's shared build (not rebuilt)."""
    data_dir = tmp_path_factory.mktemp("written")
    shutil.copytree(stack_index, data_dir / "index")
    settings = load_settings(data_dir=data_dir)
    return build_index(settings, load_catalogue(settings.catalog_path), make_embedder(settings.model))


def _figures(index: SearchIndex, name: str) -> Figures:
    written = load_written_set(WRITTEN_DIR / name, index.catalogue)
    assert written.dropped == []
    return figures(evaluate_written(index, written))


@pytest.fixture(scope="module")
def holdout(index: SearchIndex) -> Figures:
    return _figures(index, "holdout")


@pytest.fixture(scope="module")
def dev(index: SearchIndex) -> Figures:
    return _figures(index, "dev")


# Held out (w2), measured before any change for the written sets (docs/evaluation.md, "before"):
# event R@1 en 0.179 / zh 0.024; one-service R@5 1.000 / 1.000, checklist 0 / 0; out of scope
# 0.967 / 0.833 (all 0.900); look-alikes R@5 1.000 / 1.000, false "nothing" 0 / 0; yes/no right
# 0.323 / 0.462, wrong without asking 0 / 0.051.
HOLDOUT_FLOORS = {
    ("en", "event_ok"): 0.15,
    ("zh", "event_ok"): 0.02,
    ("en", "service_ok"): 0.9,
    ("zh", "service_ok"): 0.9,
    ("en", "oos_ok"): 0.9,
    ("zh", "oos_ok"): 0.8,
    ("all", "oos_ok"): 0.85,  # the floor
    ("en", "inscope_ok"): 0.95,
    ("zh", "inscope_ok"): 0.95,
    ("en", "yesno_ok"): 0.3,
    ("zh", "yesno_ok"): 0.45,
}
HOLDOUT_CEILINGS = {
    ("all", "service_extra"): 0.1,  # one-service questions given a checklist
    ("all", "inscope_extra"): 0.05,  # false "nothing"
    ("all", "yesno_wrong"): 0.06,  # a confident wrong reading
}


@pytest.mark.parametrize(("lang", "key"), list(HOLDOUT_FLOORS))
def test_held_out_floor(holdout: Figures, lang: str, key: str) -> None:
    assert holdout[lang][key] >= HOLDOUT_FLOORS[(lang, key)], holdout[lang]


@pytest.mark.parametrize(("lang", "key"), list(HOLDOUT_CEILINGS))
def test_held_out_ceiling(holdout: Figures, lang: str, key: str) -> None:
    assert holdout[lang][key] <= HOLDOUT_CEILINGS[(lang, key)], holdout[lang]


def test_what_widening_on_the_dev_set_won_stays(dev: Figures) -> None:
    """Dev (w1) before → after the widening: event R@1 en 0.270 → 0.7, zh 0.000 → 0.6; yes/no right
    0.485 → 0.97, 0.500 → 1.0 (docs/evaluation.md). Floors well under the after figures."""
    assert dev["en"]["event_ok"] >= 0.6, dev["en"]
    assert dev["zh"]["event_ok"] >= 0.45, dev["zh"]
    assert dev["all"]["yesno_ok"] >= 0.85, dev["all"]
    assert dev["all"]["service_extra"] <= 0.1, dev["all"]

"""Intent quality per language on a held-out split (run with .venv-rasa's Python).

Splits every (language, intent) group 80/20 with a fixed seed, trains the NLU pipeline of
bot/config.yml on the 80 % of both languages together (the bilingual model we ship), and
tests it on each language's 20 % separately. Prints macro-F1 per language; ``--check``
exits 1 when either is below 0.90.

The held-out model is kept in ``models/nlu-eval-<hash>.tar.gz``, keyed by the training split,
the lookup and synonym files and the configuration, so a re-run with nothing changed only tests.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the pipeline's own components (bot/prepare_search.py), as Rasa finds them from the repository root
FLOOR = 0.90


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--config", default=str(ROOT / "bot/config.yml"))
    args = parser.parse_args()

    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    work = Path(tempfile.mkdtemp(prefix="nlu-eval-"))
    train_dir = work / "train"
    train_dir.mkdir()
    rng = random.Random(args.seed)
    tests: dict[str, list] = {}
    train_examples = []
    for lang in ("en", "zh"):
        data = load_data(str(ROOT / "nlu_data" / "nlu" / lang))
        groups = defaultdict(list)
        for ex in data.intent_examples:
            groups[ex.get("intent")].append(ex)
        tests[lang] = []
        for intent in sorted(groups):
            examples = sorted(groups[intent], key=lambda e: e.get("text"))
            rng.shuffle(examples)
            cut = max(1, len(examples) // 5)
            tests[lang] += examples[:cut]
            train_examples += examples[cut:]
    for shared in sorted((ROOT / "nlu_data" / "nlu").glob("*.yml")):  # lookups and synonyms of both languages
        shutil.copy(shared, train_dir / shared.name)
    (train_dir / "examples.yml").write_text(TrainingData(training_examples=train_examples).nlu_as_yaml(), encoding="utf-8")
    for lang, examples in tests.items():
        (work / f"test_{lang}.yml").write_text(TrainingData(training_examples=examples).nlu_as_yaml(), encoding="utf-8")

    digest = hashlib.sha256(Path(args.config).read_bytes())
    for f in sorted(train_dir.iterdir()):
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    model = ROOT / "models" / f"nlu-eval-{digest.hexdigest()[:16]}.tar.gz"
    rasa = str(Path(sys.executable).parent / "rasa")
    if not model.is_file():
        print(f"training the held-out NLU model (about a minute): {model.relative_to(ROOT)}", flush=True)
        subprocess.run(
            [rasa, "train", "nlu", "--config", args.config, "--nlu", str(train_dir), "--out", str(work / "models"), "--fixed-model-name", "nlu"],
            check=True,
            capture_output=True,
        )
        model.parent.mkdir(exist_ok=True)
        for old in model.parent.glob("nlu-eval-*.tar.gz"):
            old.unlink()
        shutil.move(work / "models" / "nlu.tar.gz", model)
    import asyncio
    import logging

    import structlog
    from rasa.core.agent import Agent
    from sklearn.metrics import classification_report

    # Rasa logs one structured debug line per parsed message otherwise.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(model))
    failed = False
    print(f"{'language':10} {'macro-F1':>9} {'accuracy':>9} {'test examples':>14}")
    for lang in ("en", "zh"):
        gold = [ex.get("intent") for ex in tests[lang]]
        predicted = asyncio.run(_predict(agent, [ex.get("text") for ex in tests[lang]]))
        report = classification_report(gold, predicted, output_dict=True, zero_division=0)
        f1 = report["macro avg"]["f1-score"]
        print(f"{lang:10} {f1:9.3f} {report['accuracy']:9.3f} {len(tests[lang]):14d}")
        worst = sorted((v["f1-score"], k) for k, v in report.items() if k in set(gold))[:3]
        print("           weakest intents: " + ", ".join(f"{k} {v:.2f}" for v, k in worst))
        failed |= f1 < FLOOR
    if "--keep" not in sys.argv:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(work)
    if failed:
        print(f"macro-F1 below {FLOOR} in at least one language")
    return 1 if args.check and failed else 0


async def _predict(agent, texts: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """The intent the classifier gives each text; a fallback is undone first, as `rasa test nlu` does."""
    from rasa.nlu.classifiers import fallback_classifier

    out = []
    for text in texts:
        parsed = await agent.parse_message(text)
        if fallback_classifier.is_fallback_classifier_prediction(parsed):
            parsed = fallback_classifier.undo_fallback_prediction(parsed)
        out.append((parsed.get("intent") or {}).get("name") or "")
    return out


if __name__ == "__main__":
    sys.exit(main())

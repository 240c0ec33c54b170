"""Intent quality per language on a held-out split (run with .venv-rasa's Python).

Splits every (language, intent) group 80/20 with a fixed seed, trains the NLU pipeline of
bot/config.yml on the 80 % of both languages together (the bilingual model we ship), and
tests it on each language's 20 % separately. Prints macro-F1 per language; ``--check``
exits 1 when either is below 0.90.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
    for name in ("lookups.yml", "synonyms.yml"):
        shutil.copy(ROOT / "nlu_data" / "nlu" / name, train_dir / name)
    (train_dir / "examples.yml").write_text(TrainingData(training_examples=train_examples).nlu_as_yaml(), encoding="utf-8")
    for lang, examples in tests.items():
        (work / f"test_{lang}.yml").write_text(TrainingData(training_examples=examples).nlu_as_yaml(), encoding="utf-8")

    rasa = str(Path(sys.executable).parent / "rasa")
    subprocess.run(
        [rasa, "train", "nlu", "--config", args.config, "--nlu", str(train_dir), "--out", str(work / "models"), "--fixed-model-name", "nlu"],
        check=True,
        capture_output=True,
    )
    failed = False
    print(f"{'language':10} {'macro-F1':>9} {'accuracy':>9} {'test examples':>14}")
    for lang in ("en", "zh"):
        out = work / f"results_{lang}"
        subprocess.run(
            [rasa, "test", "nlu", "--model", str(work / "models" / "nlu.tar.gz"), "--nlu", str(work / f"test_{lang}.yml"), "--out", str(out)],
            check=True,
            capture_output=True,
        )
        report = json.loads((out / "intent_report.json").read_text())
        f1 = report["macro avg"]["f1-score"]
        print(f"{lang:10} {f1:9.3f} {report['accuracy']:9.3f} {len(tests[lang]):14d}")
        worst = sorted(
            (v["f1-score"], k) for k, v in report.items() if isinstance(v, dict) and "f1-score" in v and k not in {"macro avg", "weighted avg", "micro avg"}
        )[:3]
        print("           weakest intents: " + ", ".join(f"{k} {v:.2f}" for v, k in worst))
        failed |= f1 < FLOOR
    if "--keep" not in sys.argv:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(work)
    if failed:
        print(f"macro-F1 below {FLOOR} in at least one language")
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())

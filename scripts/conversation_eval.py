"""Play the conversation scripts (evaluation/conversations/) against the assistant and print, per
split and language, selection and verdict accuracy and each failing script with the bot's last reply.

Usage (from the repository root, with .venv's Python; ``make eval`` runs the first form):
    .venv/bin/python scripts/conversation_eval.py --model models/bot-<hash>.tar.gz
        starts Rasa, the action server and the catalogue service on free ports with a throw-away
        data folder (the search index is copied from var/index when built), then stops them;
    .venv/bin/python scripts/conversation_eval.py --rasa-url http://127.0.0.1:5005
        uses a running assistant (``make run``); the tokens are read from var/secrets/.

The scoring is in service_catalog/tooling/conversations.py; docs/evaluation.md explains it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from stack import Stack, StackError, free_port  # noqa: E402

from service_catalog.catalogue import load_catalogue  # noqa: E402
from service_catalog.settings import PACKAGE_DIR  # noqa: E402
from service_catalog.tooling.conversations import (  # noqa: E402
    CONVERSATIONS_DIR,
    SPLITS,
    Outcome,
    RestAssistant,
    Script,
    ScriptError,
    format_report,
    load_scripts,
    run_scripts,
)


def progress(done: int, total: int, outcome: Outcome) -> None:
    mark = "ok  " if not outcome.failures else "FAIL"
    print(f"  [{done:>2}/{total}] {mark} {outcome.script.split}/{outcome.script.source} {outcome.script.id}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--model", help="a trained Rasa model: start the three processes for the run")
    where.add_argument("--rasa-url", help="a running Rasa (make run): http://127.0.0.1:5005")
    parser.add_argument("--secrets", default=str(ROOT / "var" / "secrets"), help="with --rasa-url: the folder of rest-token and rasa-auth-token")
    parser.add_argument("--scripts", default=str(CONVERSATIONS_DIR), help="the folder with dev/ and holdout/")
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--workers", type=int, default=3, help="conversations played at a time (default 3)")
    parser.add_argument("--transcripts", metavar="FILE", help="also write every script's turns and the bot's replies to FILE (JSON)")
    args = parser.parse_args()

    catalogue = load_catalogue(PACKAGE_DIR / "data")
    try:
        scripts = load_scripts(Path(args.scripts), set(catalogue.services), SPLITS if args.split == "all" else (args.split,))
    except ScriptError as exc:
        print(f"\033[31merror:\033[0m {exc}", file=sys.stderr)
        return 2
    print(f"Conversation scripts: {len(scripts)} ({', '.join(f'{s} {sum(x.split == s for x in scripts)}' for s in SPLITS)})", flush=True)

    if args.rasa_url:
        secrets = Path(args.secrets)
        try:
            rest = (secrets / "rest-token").read_text(encoding="utf-8").split(",")[0].strip()
            api = (secrets / "rasa-auth-token").read_text(encoding="utf-8").strip()
        except OSError as exc:
            print(f"\033[31merror:\033[0m cannot read the tokens in {secrets}: {exc}", file=sys.stderr)
            return 2
        return report(RestAssistant(args.rasa_url, rest, api), scripts, args.workers, args.transcripts)

    with tempfile.TemporaryDirectory(prefix="conv-eval-") as tmp:
        data = Path(tmp) / "data"
        built = ROOT / "var" / "index"
        if built.is_dir():
            shutil.copytree(built, data / "index")  # loaded by the catalogue service instead of rebuilt
        stack = Stack(
            Path(args.model),
            rasa_port=free_port(),
            actions_port=free_port(),
            catalogue_port=free_port(),
            data_dir=data,
            log_dir=Path(tmp) / "log",
            extra_env={"HF_HUB_OFFLINE": "1"},
        )
        started = time.monotonic()
        print("Starting the assistant (Rasa, actions, catalogue) for the conversation scripts…", flush=True)
        try:
            stack.start(timeout=600, progress=lambda s: print(f"  {s}", flush=True))
        except StackError as exc:
            print(f"\033[31merror:\033[0m {exc}", file=sys.stderr)
            return 1
        print(f"  ready in {time.monotonic() - started:.0f} s", flush=True)
        try:
            return report(RestAssistant(f"http://127.0.0.1:{stack.ports['rasa']}", stack.rest_token, stack.rasa_token), scripts, args.workers, args.transcripts)
        finally:
            stack.stop()
            print("  the assistant is stopped.", flush=True)


def report(assistant: RestAssistant, scripts: list[Script], workers: int, transcripts: str | None) -> int:
    started = time.monotonic()
    outcomes = run_scripts(assistant, scripts, workers=workers, progress=progress)
    if transcripts:
        rows = [
            {
                "id": o.script.id,
                "split": o.script.split,
                "lang": o.script.lang,
                "selected": o.selected,
                "verdict": o.verdict,
                "failures": o.failures,
                "transcript": o.transcript,
            }
            for o in outcomes
        ]
        Path(transcripts).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n{format_report(outcomes)}\n\n({len(scripts)} scripts in {time.monotonic() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``python -m service_catalog COMMAND``.

Commands:
    serve                   run the HTTP service
    catalog validate [PATH] check a catalogue folder; exit 1 on any problem
    catalog import FORMAT FILE --out DIR
    catalog export FORMAT --out FILE [--catalog PATH]
    catalog generate --count N --out DIR [--seed S]
    index build             build (or reuse) the search index files
    search QUERY            search the catalogue from the shell
    eval                    recall, MRR and out-of-scope figures on the evaluation set
    purge [--days N] [--tracker-db PATH]
                            delete tickets, audit records, link ids, ratings (and conversations) past their retention
    agents add NAME --role agent|supervisor | passwd NAME | disable NAME | enable NAME | list
                            agent console accounts (passwords from standard input)
    db upgrade | current    bring CATALOG_DATABASE_URL to the newest migration, or show its revision
    db revision -m MESSAGE [--autogenerate]
                            write a new migration into service_catalog/migrations/versions/ (development)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from .settings import SettingsError, load_settings

__all__ = ["main"]


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    overrides: dict[str, Any] = {}
    for name in ("port", "host", "catalog_path", "data_dir", "model"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = Path(value) if name in {"catalog_path", "data_dir"} else value
    return load_settings(**overrides)


def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from .errors import CatalogInvalid
    from .http.app import create_app

    settings = _settings(args)
    os.umask(0o077)  # database, index files, keys and secrets: readable by this service only
    Path(settings.data_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(settings.data_dir, 0o700)
    try:
        app = create_app(settings)
    except CatalogInvalid as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        for issue in exc.details or []:
            print(f"  {issue['file']}:{issue['line']}: {issue['field']}: {issue['message']}", file=sys.stderr)
        return 1
    web.run_app(app, host=settings.host, port=settings.port, access_log=None, print=lambda s: logging.getLogger("service_catalog").info(s.strip()))
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    import asyncio

    from .db import Database, DatabaseUnavailable

    settings = _settings(args)
    days = args.days if args.days is not None else settings.retention_days

    async def run() -> dict[str, int]:
        import time

        from .insights.store import InsightsStore

        db = await Database.open(settings.database_url)
        try:
            counts = await db.purge(
                retention_days=days, audit_retention_days=settings.audit_retention_days, rejected_retention_days=settings.rejected_retention_days
            )
        finally:
            await db.close()
        store = await InsightsStore.open(settings.database_url)  # after Database.open: the migrations have run
        try:
            counts["ratings"] = await store.purge_feedback(settings.feedback_retention_days, time.time())
        finally:
            await store.close()
        return counts

    try:
        counts = asyncio.run(run())
    except DatabaseUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.tracker_db:
        counts["conversation events"] = purge_tracker(Path(args.tracker_db), days)
    print(f"deleted what is older than {days} days: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0


def purge_tracker(path: Path, days: int) -> int:
    """Delete the events of Rasa's SQLite tracker store older than ``days`` (Rasa's ``events`` table)."""
    import sqlite3
    import time

    if not path.is_file():
        raise SystemExit(f"error: no tracker database at {path}")
    with sqlite3.connect(path) as conn:
        deleted = conn.execute("DELETE FROM events WHERE timestamp < ?", (time.time() - days * 86400,)).rowcount
    return int(deleted)


def cmd_db(args: argparse.Namespace) -> int:
    """``db upgrade`` (what every start does), ``db current`` (exit 1 when behind), ``db revision``."""
    import asyncio

    from . import migrations
    from .db import Database, DatabaseUnavailable, make_engine

    settings = _settings(args)
    if args.action == "revision":
        return _new_revision(args.message, args.autogenerate)
    try:
        if args.action == "upgrade":

            async def upgrade() -> str | None:
                db = await Database.open(settings.database_url, pool_size=1)
                try:
                    return await db.revision()
                finally:
                    await db.close()

            revision = asyncio.run(upgrade())
        else:
            engine = make_engine(settings.database_url, pool_size=1)
            try:
                with engine.connect() as connection:
                    revision = migrations.current(connection)
            finally:
                engine.dispose()
    except (DatabaseUnavailable, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the driver's own error (refused, wrong password): its class, never the URL
        if type(exc).__module__.startswith(("sqlalchemy", "psycopg")):
            print(f"error: the database cannot be reached ({type(exc).__name__})", file=sys.stderr)
            return 1
        raise
    head = migrations.head()
    state = "up to date" if revision == head else f"behind: the newest is {head}"
    print(f"database revision {revision or 'none (empty, or made before migrations)'}: {state}")
    return 0 if revision == head else 1


def _new_revision(message: str, autogenerate: bool) -> int:
    """Write the next numbered revision; with ``--autogenerate``, compared against a scratch database at head."""
    import tempfile

    from alembic import command
    from alembic.script import ScriptDirectory

    from . import migrations
    from .db import make_engine

    cfg = migrations.config()
    number = max(int(r.revision) for r in ScriptDirectory.from_config(cfg).walk_revisions()) + 1
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{scratch}/head.db")
        try:
            with engine.begin() as connection:
                migrations.upgrade(connection)
                cfg.attributes["connection"] = connection
                script = command.revision(cfg, message=message, autogenerate=autogenerate, rev_id=f"{number:04d}")
        finally:
            engine.dispose()
    if script is not None and not isinstance(script, list):
        print(f"wrote {script.path}: check it, run `ruff format` on it, and add a test (docs/contributing.md)")
    return 0


def cmd_agents(args: argparse.Namespace) -> int:
    from .console.accounts import run

    return run(args, _settings(args).database_url)


def cmd_validate(args: argparse.Namespace) -> int:
    from .catalogue import read_catalogue

    path = Path(args.path) if args.path else _settings(args).catalog_path
    cat, issues = read_catalogue(path)
    for issue in issues:
        print(issue)
    if cat is None:
        print(f"{len(issues)} problem(s) in {path}", file=sys.stderr)
        return 1
    from .tooling.quality import near_duplicates

    duplicates = near_duplicates(cat)
    for a, b, score in duplicates:
        print(f"services/{a}.yaml: near-duplicate of services/{b}.yaml (text overlap {score:.0%}); rewrite one of them")
    if duplicates:
        return 1
    n_criteria = sum(1 for s in cat.services.values() if s.eligibility is not None)
    print(
        f"ok: {len(cat.services)} services ({n_criteria} with eligibility criteria), {len(cat.questions)} questions, {len(cat.events)} events, {len(cat.districts)} districts in {path}"
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .io import import_file

    result = import_file(args.format, Path(args.file), Path(args.out), base=Path(args.catalog) if args.catalog else _settings(args).catalog_path)
    for error in result.errors:
        print(error, file=sys.stderr)
    if result.errors:
        print(f"{len(result.errors)} error(s); nothing was written", file=sys.stderr)
        return 1
    print(f"imported {result.count} services into {args.out}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .catalogue import load_catalogue
    from .io import export_catalogue

    cat = load_catalogue(Path(args.catalog) if args.catalog else _settings(args).catalog_path)
    export_catalogue(args.format, cat, Path(args.out))
    print(f"exported {len(cat.services)} services to {args.out}")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from .tooling.synthetic import generate_catalogue

    generate_catalogue(Path(args.out), args.count, seed=args.seed, base=_settings(args).catalog_path, progress=True)
    print(f"wrote {args.count} synthetic services to {args.out}")
    return 0


def cmd_index_build(args: argparse.Namespace) -> int:
    from .catalogue import load_catalogue
    from .search import build_index
    from .search.embedder import make_embedder

    settings = _settings(args)
    cat = load_catalogue(settings.catalog_path)
    index = build_index(settings, cat, make_embedder(settings.model, settings.embed_backend), progress=True)
    print(f"index {index.key}: {len(index.dense)} vectors ({index.dense.kind.value}) for {len(index.ids)} services in {settings.data_dir / 'index'}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .catalogue import load_catalogue
    from .search import build_index
    from .search.embedder import make_embedder
    from .search.index import Filters

    settings = _settings(args)
    cat = load_catalogue(settings.catalog_path)
    index = build_index(settings, cat, make_embedder(settings.model, settings.embed_backend))
    response = index.search(args.query, args.lang, args.limit, Filters(audience=args.audience, district=args.district))
    if args.json:
        print(json.dumps(response.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"[{response.lang}] confident={response.confident} ({response.confidence:.2f})")
    for n, hit in enumerate(response.results or response.suggestions, 1):
        why = "; ".join(f"{w['field']}: {', '.join(w['terms'])}" for w in hit.why)
        print(f"{n}. {hit.id}  {hit.title}  ({hit.score:.4f})  {why}")
    if not response.results:
        print("nothing matches confidently" + (" (suggestions above)" if response.suggestions else ""))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .tooling.evaluation import run_eval

    return run_eval(
        _settings(args),
        fit=args.fit,
        split=args.split,
        floors=args.check,
        dense_fields=args.dense_fields,
        dense_langs=args.dense_langs,
        queries_file=Path(args.queries) if args.queries else None,
        written=[Path(w) for w in args.written or ()],
        show_failures=args.show_failures,
    )


def _days(raw: str) -> int:
    try:
        days = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of days, got {raw!r}") from None
    if not 1 <= days <= 3650:
        raise argparse.ArgumentTypeError(f"must be between 1 and 3650 days, got {days}")
    return days


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m service_catalog", description="Citizen service assistant: catalogue service")
    parser.add_argument("--catalog", dest="catalog_path", help="catalogue folder (default: the demo catalogue)")
    parser.add_argument("--data-dir", dest="data_dir", help="folder for database, index files and keys")
    parser.add_argument("--model", help="sentence-transformers model name or path")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--port", type=int)
    serve.add_argument("--host")
    serve.set_defaults(func=cmd_serve)

    purge = sub.add_parser("purge", help="delete tickets, audit records and link ids past their retention")
    purge.add_argument("--days", type=_days, help="ticket retention in days, 1-3650 (default CATALOG_RETENTION_DAYS, 30)")
    # SUPPRESS: without it the sub-command's unset option would overwrite `--data-dir X purge`.
    purge.add_argument("--data-dir", dest="data_dir", default=argparse.SUPPRESS, help="folder for database, index files and keys")
    purge.add_argument("--tracker-db", help="also delete older conversation events from Rasa's SQLite tracker store at this path")
    purge.set_defaults(func=cmd_purge)

    db = sub.add_parser("db", help="the database's migrations (Alembic)").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="bring the database to the newest revision (also done on every start)").set_defaults(func=cmd_db)
    db.add_parser("current", help="print the database's revision; exit 1 when it is behind").set_defaults(func=cmd_db)
    revision = db.add_parser("revision", help="write a new revision into service_catalog/migrations/versions/ (development)")
    revision.add_argument("-m", "--message", required=True, help="what the revision changes")
    revision.add_argument("--autogenerate", action="store_true", help="fill it in from the difference between db_schema.py and the migrations")
    revision.set_defaults(func=cmd_db)

    from .console.accounts import add_parser as add_agents_parser

    add_agents_parser(sub, cmd_agents)

    catalog = sub.add_parser("catalog", help="validate, import, export or generate catalogues").add_subparsers(dest="action", required=True)
    validate = catalog.add_parser("validate", help="check a catalogue folder")
    validate.add_argument("path", nargs="?")
    validate.set_defaults(func=cmd_validate)
    imp = catalog.add_parser("import", help="import services from CSV or CPSV-AP JSON-LD into a folder")
    imp.add_argument("format", choices=["csv", "jsonld"])
    imp.add_argument("file")
    imp.add_argument("--out", required=True, help="catalogue folder to write the service files into")
    imp.set_defaults(func=cmd_import, catalog=None)
    exp = catalog.add_parser("export", help="export the catalogue as CSV or CPSV-AP JSON-LD")
    exp.add_argument("format", choices=["csv", "jsonld"])
    exp.add_argument("--out", required=True)
    exp.set_defaults(func=cmd_export, catalog=None)
    gen = catalog.add_parser("generate", help="write a synthetic catalogue for benchmarks")
    gen.add_argument("--count", type=int, required=True)
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--out", required=True)
    gen.set_defaults(func=cmd_generate)

    index = sub.add_parser("index", help="search index files").add_subparsers(dest="action", required=True)
    build = index.add_parser("build", help="build the index files (reused when nothing changed)")
    build.set_defaults(func=cmd_index_build)

    search = sub.add_parser("search", help="search from the shell")
    search.add_argument("query")
    search.add_argument("--lang", default="auto", choices=["auto", "zh", "en"])
    search.add_argument("--limit", type=int, default=5)
    search.add_argument("--audience", choices=["individual", "enterprise"])
    search.add_argument("--district")
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=cmd_search)

    ev = sub.add_parser("eval", help="search quality on the evaluation set")
    ev.add_argument("--fit", action="store_true", help="refit weights and confidence on the tuning split and write search/tuned.json")
    ev.add_argument("--split", choices=["all", "tune", "holdout"], default="all")
    ev.add_argument("--queries", help="another query file in the same format (e.g. evaluation/fresh_queries.yaml); reported, never fitted on")
    ev.add_argument("--check", action="store_true", help="exit 1 when a floor is not met")
    ev.add_argument("--written", action="append", metavar="DIR", help="only a set written by other hands (evaluation/written/dev or holdout); repeatable")
    ev.add_argument("--show-failures", action="store_true", help="with --written: also print a held-out set's failures (only after the last change)")
    ev.add_argument("--dense-fields", help="override the embedded texts, e.g. card,keywords,phrasings (for measurement)")
    ev.add_argument("--dense-langs", help="override the embedded languages, e.g. en or en,zh (for measurement)")
    ev.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"settings error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

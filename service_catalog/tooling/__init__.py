"""Tooling that the running service never imports: search evaluation (``make eval``), synthetic
catalogues for benchmarks, and content checks for catalogue authors (``catalog validate``).

| module | used by |
|---|---|
| ``evaluation.py`` | ``python -m service_catalog eval``, ``tests/integration/test_search_quality.py`` |
| ``conversations.py`` | ``scripts/conversation_eval.py`` (``make eval``), ``tests/e2e/test_conversation_scripts.py`` |
| ``synthetic.py`` | ``python -m service_catalog catalog generate``, ``make bench`` |
| ``quality.py`` | ``python -m service_catalog catalog validate`` (near-duplicate services) |
| ``written_eval.py`` | ``python -m service_catalog eval --written DIR``, ``make eval``, ``tests/integration/test_written_sets.py`` (sets written by other hands) |
"""

"""End-to-end tests share the session-scoped ``stack`` and ``start_stack`` fixtures of tests/conftest.py."""

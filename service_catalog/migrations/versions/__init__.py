"""Alembic revisions of the catalogue database (a package so that setuptools ships them with the service)."""

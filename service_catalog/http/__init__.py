"""The catalogue service's HTTP layer (aiohttp): the app factory, middlewares, credentials and routes.

See README.md beside this file for what each module does.
"""

from .app import create_app

__all__ = ["create_app"]

"""Who may read a process's ``/metrics`` without a token: the one rule of the catalogue service, the
action server and Rasa's channels (docs/insights.md).

A direct client on ``CATALOG_METRICS_NETWORKS`` (loopback by default) whose request did not come through a
proxy (no ``X-Forwarded-For`` / ``Forwarded``: the edge always adds one), or a caller showing the admin read
token as ``Authorization: Bearer``.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping

__all__ = ["DEFAULT_NETWORKS", "may_read_metrics"]

DEFAULT_NETWORKS = "127.0.0.0/8,::1/128"


def may_read_metrics(peer: str, headers: Mapping[str, str], networks: str, read_token: str) -> bool:
    """True for a direct client on ``networks`` (comma-separated CIDRs), or one that shows ``read_token``.

    ``headers`` with lower-case names. An empty ``read_token`` checks the network rule alone (the
    catalogue service checks its tokens itself, with its lock-out of guessers).
    """
    given = headers.get("authorization", "")
    if read_token and hmac.compare_digest(given.encode(), f"Bearer {read_token}".encode()):
        return True
    if "x-forwarded-for" in headers or "forwarded" in headers:
        return False
    try:
        address = ipaddress.ip_address(peer.split("%", 1)[0])
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n.strip(), strict=False) for n in networks.split(",") if n.strip())

"""Signed, short-lived, single-use handoff tokens (EdDSA JWTs) and the keys that sign them.

Keys are Ed25519, stored as PEM under ``<data_dir>/keys/`` (created on first start, mode 0600)::

    keys/signing.pem                    the current private key
    keys/retired/<retired_at>-<kid>.pem public keys of earlier keys, kept until every token they
                                        signed has expired (the token lifetime), then pruned

The key id (``kid``) is the first 16 hex digits of the SHA-256 of the raw 32-byte public key.
Replicas share the folder; a replica that meets an unknown ``kid`` re-reads it (at most every
few seconds), so a rotation on one replica reaches the others.

Errors, each with the HTTP status and stable ``code`` the portal receiver shows::

    TokenError(CatalogError)
    ├── TokenInvalid(ValueError)           400 token_invalid        missing, malformed, tampered, wrong audience/issuer, unknown key
    ├── TokenExpired(ValueError)           410 token_expired
    ├── TokenWrongService(PermissionError) 403 token_wrong_service
    └── TokenReplayed(PermissionError)     409 token_replayed       already redeemed once
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import CatalogError

__all__ = [
    "AUDIENCE",
    "MAX_TTL_SECONDS",
    "JtiStore",
    "Signer",
    "TokenError",
    "TokenExpired",
    "TokenInvalid",
    "TokenReplayed",
    "TokenWrongService",
    "key_id",
]

AUDIENCE = "portal-apply"
MAX_TTL_SECONDS = 900
MAX_TOKEN_CHARS = 16000
CLOCK_SKEW_S = 60  # an ``iat`` this far in the future is still accepted (replicas' clocks differ)
RELOAD_EVERY_S = 5.0  # an unknown kid re-reads the key folder at most this often
CURRENT = "signing.pem"
RETIRED = "retired"
_RETIRED_NAME = re.compile(r"^(\d+)-([0-9a-f]{16})\.pem$")
_REQUIRED = ["iss", "aud", "sub", "service_id", "jti", "iat", "exp"]


class TokenError(CatalogError):
    """Base class of every reason a handoff token is refused."""

    status = 400
    code = "token_invalid"


class TokenInvalid(TokenError, ValueError):
    """Missing, malformed or tampered; wrong audience or issuer; signed by an unknown key."""

    status = 400
    code = "token_invalid"


class TokenExpired(TokenError, ValueError):
    status = 410
    code = "token_expired"


class TokenWrongService(TokenError, PermissionError):
    status = 403
    code = "token_wrong_service"


class TokenReplayed(TokenError, PermissionError):
    status = 409
    code = "token_replayed"


class JtiStore(Protocol):
    """Where redeemed token ids are recorded (``service_catalog.db.Database`` in the app)."""

    async def use_jti(self, jti: str, service_id: str, issued_at: int, expires_at: int, now: int) -> bool: ...


def key_id(public: Ed25519PublicKey) -> str:
    """First 16 hex digits of the SHA-256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write a file that must not exist yet, created with ``mode`` (never briefly world-readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, mode)


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass(frozen=True)
class _Retired:
    kid: str
    public: Ed25519PublicKey
    retired_at: int
    path: Path


class Signer:
    """Issues and verifies handoff tokens; owns the key folder.

    Args:
        keys_dir: folder of the keys (created with mode 0700 when missing).
        issuer: the ``iss`` claim: this service's public URL.
        ttl_seconds: token lifetime, 1-900 s; also how long a retired public key is kept.
        now: the clock, in seconds (tests pass a fixed one).

    Raises:
        ValueError: ``ttl_seconds`` is out of range, or the key file is not an Ed25519 key.
    """

    def __init__(self, keys_dir: Path, issuer: str, ttl_seconds: int, *, now: float | None = None) -> None:
        if not 0 < ttl_seconds <= MAX_TTL_SECONDS:
            raise ValueError(f"token lifetime must be between 1 and {MAX_TTL_SECONDS} seconds, got {ttl_seconds}")
        self.keys_dir = Path(keys_dir)
        self.issuer = issuer
        self.ttl = int(ttl_seconds)
        self._lock = threading.Lock()
        self._private: Ed25519PrivateKey
        self._kid = ""
        self._retired: dict[str, _Retired] = {}
        self._loaded_at = 0.0
        self._load(time.time() if now is None else now)

    @classmethod
    def from_settings(cls, settings: Any) -> Signer:
        """A signer for ``settings`` (keys under ``data_dir/keys``, issuer ``public_url``)."""
        return cls(Path(settings.data_dir) / "keys", settings.public_url, settings.token_ttl_seconds)

    @property
    def kid(self) -> str:
        """The id of the current signing key."""
        return self._kid

    # -- keys ----------------------------------------------------------------------------------

    def _load(self, now: float) -> None:
        with self._lock:
            self.keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            (self.keys_dir / RETIRED).mkdir(mode=0o700, exist_ok=True)
            current = self.keys_dir / CURRENT
            if not current.exists():
                with contextlib.suppress(FileExistsError):  # another replica created it first: use theirs
                    _write_new(current, _private_pem(Ed25519PrivateKey.generate()), 0o600)
            if current.stat().st_mode & 0o077:
                os.chmod(current, 0o600)
            key = serialization.load_pem_private_key(current.read_bytes(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError(f"{current} is not an Ed25519 private key")
            self._private = key
            self._kid = key_id(key.public_key())
            self._retired = self._read_retired(now)
            self._loaded_at = time.monotonic()

    def _read_retired(self, now: float) -> dict[str, _Retired]:
        keys: dict[str, _Retired] = {}
        for path in sorted((self.keys_dir / RETIRED).glob("*.pem")):
            match = _RETIRED_NAME.match(path.name)
            if match is None:
                continue
            retired_at, kid = int(match.group(1)), match.group(2)
            if retired_at + self.ttl < now:
                path.unlink(missing_ok=True)  # every token it signed has expired
                continue
            public = serialization.load_pem_public_key(path.read_bytes())
            if isinstance(public, Ed25519PublicKey) and key_id(public) == kid and kid != self._kid:
                keys[kid] = _Retired(kid, public, retired_at, path)
        return keys

    def rotate(self, now: float | None = None) -> str:
        """Make a new current key; the previous public key stays valid for one token lifetime.

        Returns:
            The new key id.
        """
        moment = int(time.time() if now is None else now)
        with self._lock:
            new = Ed25519PrivateKey.generate()
            old_public = self._private.public_key()
            temporary = self.keys_dir / f".{CURRENT}.{uuid.uuid4().hex}.tmp"
            _write_new(temporary, _private_pem(new), 0o600)
            retired = self.keys_dir / RETIRED / f"{moment}-{self._kid}.pem"
            retired.unlink(missing_ok=True)
            _write_new(retired, _public_pem(old_public), 0o644)
            os.replace(temporary, self.keys_dir / CURRENT)
        self._load(moment)
        return self._kid

    def _public_key(self, kid: Any) -> Ed25519PublicKey | None:
        if kid == self._kid:
            return self._private.public_key()
        if isinstance(kid, str) and kid in self._retired:
            return self._retired[kid].public
        return None

    def jwks(self) -> dict[str, Any]:
        """The public keys as a JSON Web Key Set: the current key first, then retired ones."""
        publics = [(self._kid, self._private.public_key())] + [(k.kid, k.public) for k in sorted(self._retired.values(), key=lambda k: -k.retired_at)]
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": _b64url(p.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)),
                    "kid": kid,
                    "use": "sig",
                    "alg": "EdDSA",
                }
                for kid, p in publics
            ]
        }

    # -- tokens --------------------------------------------------------------------------------

    def issue(
        self, service_id: str, answers: dict[str, Any], lang: str, channel: str, now: float | None = None, on_behalf_of: str | None = None
    ) -> tuple[str, str, int]:
        """Sign a token carrying the answers the citizen agreed to share.

        Args:
            service_id: the service applied for (also the ``sub`` claim).
            answers: question id to JSON value.
            lang: ``zh`` or ``en``.
            channel: the chat channel the citizen used.
            now: the issue time in seconds (default: the clock).
            on_behalf_of: the relation the citizen applies for (``mother``...), when not for
                themself; the answers are that person's. The claim is left out for the citizen.

        Returns:
            ``(token, jti, exp)``.
        """
        issued = int(time.time() if now is None else now)
        jti = uuid.uuid4().hex
        expires = issued + self.ttl
        claims = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": service_id,
            "service_id": service_id,
            "answers": answers,
            "lang": lang,
            "channel": channel,
            "jti": jti,
            "iat": issued,
            "exp": expires,
        }
        if on_behalf_of:
            claims["on_behalf_of"] = on_behalf_of
        token = jwt.encode(claims, self._private, algorithm="EdDSA", headers={"kid": self._kid})
        return token, jti, expires

    def verify(self, token: Any, service_id: str, now: float | None = None) -> dict[str, Any]:
        """Check signature (with the key ``kid`` names), audience, issuer, expiry and service id.

        Returns:
            The claims.

        Raises:
            TokenInvalid, TokenExpired, TokenWrongService: see the module docstring.
        """
        moment = time.time() if now is None else now
        if not isinstance(token, str) or not token:
            raise TokenInvalid("no token was given")
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenInvalid("the token is too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenInvalid("the token is malformed") from None
        if header.get("alg") != "EdDSA":
            raise TokenInvalid("the token is not signed with EdDSA")
        kid = header.get("kid")
        public = self._public_key(kid)
        if public is None and time.monotonic() - self._loaded_at >= RELOAD_EVERY_S:
            self._load(moment)  # another replica may have rotated the key
            public = self._public_key(kid)
        if public is None:
            raise TokenInvalid("the token names an unknown signing key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                public,
                algorithms=["EdDSA"],
                audience=AUDIENCE,
                issuer=self.issuer,
                options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidSignatureError:
            raise TokenInvalid("the token's signature does not match its contents") from None
        except jwt.InvalidAudienceError:
            raise TokenInvalid("the token is meant for another audience") from None
        except jwt.InvalidIssuerError:
            raise TokenInvalid("the token was issued by another service") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenInvalid(f"the token lacks the {exc.claim} claim") from None
        except jwt.PyJWTError as exc:
            raise TokenInvalid(f"the token is malformed ({type(exc).__name__})") from None
        issued, expires = claims["iat"], claims["exp"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (issued, expires)):
            raise TokenInvalid("the token's times are not integers")
        if expires - issued > MAX_TTL_SECONDS or issued > moment + CLOCK_SKEW_S:
            raise TokenInvalid("the token's lifetime is implausible")
        if moment >= expires:
            raise TokenExpired("the link has expired")
        if claims["sub"] != claims["service_id"] or not isinstance(claims.get("answers", {}), dict):
            raise TokenInvalid("the token's claims are inconsistent")
        if claims["service_id"] != service_id:
            raise TokenWrongService("the link was made for another service")
        return claims

    async def redeem(self, token: Any, service_id: str, store: JtiStore, now: float | None = None) -> dict[str, Any]:
        """``verify``, then record the token id as used: a second redemption is refused.

        Raises:
            TokenInvalid, TokenExpired, TokenWrongService, TokenReplayed.
        """
        moment = time.time() if now is None else now
        claims = self.verify(token, service_id, moment)
        if not await store.use_jti(claims["jti"], claims["service_id"], claims["iat"], claims["exp"], int(moment)):
            raise TokenReplayed("the link has already been used")
        return claims

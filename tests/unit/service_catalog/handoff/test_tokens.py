"""Handoff tokens: issue/verify round trip, every refusal, keys on disk, rotation, JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from service_catalog.handoff import tokens
from service_catalog.handoff.tokens import (
    AUDIENCE,
    Signer,
    TokenError,
    TokenExpired,
    TokenInvalid,
    TokenReplayed,
    TokenWrongService,
)
from service_catalog.settings import Settings, SettingsError

ISSUER = "https://assistant.example.test"
T0 = 1_800_000_000
TTL = 600
ANSWERS = {"age": 61, "employment_status": "retired", "hukou_shanghai": True}


class MemoryStore:
    """An in-memory ``JtiStore``."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    async def use_jti(self, jti: str, service_id: str, issued_at: int, expires_at: int, now: int) -> bool:
        if jti in self.used:
            return False
        self.used.add(jti)
        return True


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def signer(keys: Path) -> Signer:
    return Signer(keys, ISSUER, TTL, now=T0)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge(keys: Path, signer: Signer, **changes: Any) -> str:
    """A token signed with the signer's real private key (read from disk), with some claims changed."""
    private = serialization.load_pem_private_key((keys / "signing.pem").read_bytes(), password=None)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "pension-claim",
        "service_id": "pension-claim",
        "answers": {},
        "lang": "en",
        "channel": "web",
        "jti": "f" * 32,
        "iat": T0,
        "exp": T0 + TTL,
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": signer.kid})  # type: ignore[arg-type]


def test_round_trip_carries_every_claim(signer: Signer) -> None:
    token, jti, exp = signer.issue("pension-claim", ANSWERS, "zh", "web", now=T0)
    claims = signer.verify(token, "pension-claim", now=T0 + 10)
    assert claims["answers"] == ANSWERS
    assert (claims["sub"], claims["service_id"], claims["lang"], claims["channel"]) == ("pension-claim", "pension-claim", "zh", "web")
    assert (claims["iss"], claims["aud"], claims["jti"], claims["iat"], claims["exp"]) == (ISSUER, AUDIENCE, jti, T0, T0 + TTL)
    assert exp == T0 + TTL and len(jti) == 32 and int(jti, 16) >= 0
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["kid"] == signer.kid


def test_each_token_has_its_own_jti(signer: Signer) -> None:
    jtis = {signer.issue("pension-claim", {}, "en", "web", now=T0)[1] for _ in range(20)}
    assert len(jtis) == 20


def test_key_file_is_private_and_reused(keys: Path, signer: Signer) -> None:
    path = keys / "signing.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = serialization.load_pem_private_key(path.read_bytes(), password=None).public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert signer.kid == hashlib.sha256(raw).hexdigest()[:16]
    replica = Signer(keys, ISSUER, TTL, now=T0)
    assert replica.kid == signer.kid
    token, _, _ = signer.issue("pension-claim", {}, "en", "web", now=T0)
    assert replica.verify(token, "pension-claim", now=T0 + 1)["service_id"] == "pension-claim"


def test_loose_key_file_permissions_are_tightened(keys: Path, signer: Signer) -> None:
    (keys / "signing.pem").chmod(0o644)
    Signer(keys, ISSUER, TTL, now=T0)
    assert stat.S_IMODE((keys / "signing.pem").stat().st_mode) == 0o600


def test_tampered_payload_is_refused(signer: Signer) -> None:
    token, _, _ = signer.issue("pension-claim", {"age": 40}, "en", "web", now=T0)
    header, payload, signature = token.split(".")
    claims = json.loads(_b64decode(payload))
    claims["answers"]["age"] = 70
    forged = ".".join([header, _b64encode(json.dumps(claims).encode()), signature])
    with pytest.raises(TokenInvalid, match="signature does not match"):
        signer.verify(forged, "pension-claim", now=T0 + 1)


def test_tampered_signature_is_refused(signer: Signer) -> None:
    token, _, _ = signer.issue("pension-claim", {}, "en", "web", now=T0)
    header, payload, signature = token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(TokenInvalid, match="signature does not match"):
        signer.verify(f"{header}.{payload}.{flipped}", "pension-claim", now=T0 + 1)


def test_wrong_audience_is_refused(keys: Path, signer: Signer) -> None:
    with pytest.raises(TokenInvalid, match="another audience"):
        signer.verify(_forge(keys, signer, aud="someone-else"), "pension-claim", now=T0 + 1)


def test_wrong_issuer_is_refused(keys: Path, signer: Signer) -> None:
    with pytest.raises(TokenInvalid, match="another service"):
        signer.verify(_forge(keys, signer, iss="https://evil.example"), "pension-claim", now=T0 + 1)


@pytest.mark.parametrize("claim", ["jti", "exp", "service_id"])
def test_missing_claim_is_refused(keys: Path, signer: Signer, claim: str) -> None:
    with pytest.raises(TokenInvalid, match=f"lacks the {claim} claim"):
        signer.verify(_forge(keys, signer, **{claim: None}), "pension-claim", now=T0 + 1)


def test_implausible_lifetime_is_refused(keys: Path, signer: Signer) -> None:
    with pytest.raises(TokenInvalid, match="lifetime is implausible"):
        signer.verify(_forge(keys, signer, exp=T0 + 3600), "pension-claim", now=T0 + 1)


def test_expired_token_is_refused(signer: Signer) -> None:
    token, _, exp = signer.issue("pension-claim", {}, "en", "web", now=T0)
    assert signer.verify(token, "pension-claim", now=exp - 1)
    with pytest.raises(TokenExpired, match="expired"):
        signer.verify(token, "pension-claim", now=exp)


def test_short_ttl_expires_quickly(keys: Path) -> None:
    short = Signer(keys, ISSUER, 1, now=T0)
    token, _, _ = short.issue("pension-claim", {}, "en", "web", now=T0)
    with pytest.raises(TokenExpired):
        short.verify(token, "pension-claim", now=T0 + 1)


def test_wrong_service_is_refused(signer: Signer) -> None:
    token, _, _ = signer.issue("pension-claim", {}, "en", "web", now=T0)
    with pytest.raises(TokenWrongService, match="another service"):
        signer.verify(token, "birth-registration", now=T0 + 1)


async def test_replayed_token_is_refused(signer: Signer) -> None:
    store = MemoryStore()
    token, jti, _ = signer.issue("pension-claim", {}, "en", "web", now=T0)
    claims = await signer.redeem(token, "pension-claim", store, now=T0 + 1)
    assert claims["jti"] == jti
    with pytest.raises(TokenReplayed, match="already been used"):
        await signer.redeem(token, "pension-claim", store, now=T0 + 2)


async def test_refused_token_is_not_consumed(signer: Signer) -> None:
    store = MemoryStore()
    token, _, _ = signer.issue("pension-claim", {}, "en", "web", now=T0)
    with pytest.raises(TokenWrongService):
        await signer.redeem(token, "birth-registration", store, now=T0 + 1)
    assert store.used == set()
    assert await signer.redeem(token, "pension-claim", store, now=T0 + 1)


def test_unknown_kid_is_refused(tmp_path: Path, signer: Signer) -> None:
    stranger = Signer(tmp_path / "other-keys", ISSUER, TTL, now=T0)
    token, _, _ = stranger.issue("pension-claim", {}, "en", "web", now=T0)
    with pytest.raises(TokenInvalid, match="unknown signing key"):
        signer.verify(token, "pension-claim", now=T0 + 1)


@pytest.mark.parametrize("garbage", ["", "not-a-token", "a.b.c", None, 42, "x" * 20000])
def test_garbage_is_refused(signer: Signer, garbage: Any) -> None:
    with pytest.raises(TokenInvalid):
        signer.verify(garbage, "pension-claim", now=T0 + 1)


def test_unsigned_token_is_refused(signer: Signer) -> None:
    token = jwt.encode({"sub": "pension-claim"}, key=None, algorithm="none", headers={"kid": signer.kid})  # type: ignore[arg-type]
    with pytest.raises(TokenInvalid, match="not signed with EdDSA"):
        signer.verify(token, "pension-claim", now=T0 + 1)


def test_hs256_with_the_public_key_is_refused(signer: Signer) -> None:
    """The algorithm-confusion attack: an HMAC token keyed with the published public key."""
    x = signer.jwks()["keys"][0]["x"]
    token = jwt.encode({"sub": "pension-claim"}, key=x, algorithm="HS256", headers={"kid": signer.kid})
    with pytest.raises(TokenInvalid, match="not signed with EdDSA"):
        signer.verify(token, "pension-claim", now=T0 + 1)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (TokenInvalid, 400, "token_invalid"),
        (TokenExpired, 410, "token_expired"),
        (TokenWrongService, 403, "token_wrong_service"),
        (TokenReplayed, 409, "token_replayed"),
    ],
)
def test_errors_share_one_base_with_stable_codes(error: type[TokenError], status: int, code: str) -> None:
    assert issubclass(error, TokenError)
    assert (error.status, error.code) == (status, code)
    assert error("why").to_json() == {"error": code, "message": "why"}


def test_jwks_publishes_the_current_key(signer: Signer) -> None:
    (key,) = signer.jwks()["keys"]
    assert key == {"kty": "OKP", "crv": "Ed25519", "x": key["x"], "kid": signer.kid, "use": "sig", "alg": "EdDSA"}
    assert len(_b64decode(key["x"])) == 32
    token, _, _ = signer.issue("pension-claim", {}, "en", "web")
    # What a portal does: verify with the published key alone.
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["EdDSA"], audience=AUDIENCE, issuer=ISSUER)
    assert claims["service_id"] == "pension-claim"


def test_rotation_keeps_earlier_tokens_valid_until_they_expire(keys: Path, signer: Signer) -> None:
    old_kid = signer.kid
    before, _, before_exp = signer.issue("pension-claim", {}, "en", "web", now=T0)
    new_kid = signer.rotate(now=T0 + 100)
    after, _, _ = signer.issue("pension-claim", {}, "en", "web", now=T0 + 100)
    assert new_kid != old_kid and signer.kid == new_kid
    assert jwt.get_unverified_header(after)["kid"] == new_kid
    assert [k["kid"] for k in signer.jwks()["keys"]] == [new_kid, old_kid]
    assert signer.verify(before, "pension-claim", now=T0 + 200)["iat"] == T0
    assert signer.verify(after, "pension-claim", now=T0 + 200)["iat"] == T0 + 100
    with pytest.raises(TokenExpired):
        signer.verify(before, "pension-claim", now=before_exp)
    # A replica started after the rotation also knows both keys.
    replica = Signer(keys, ISSUER, TTL, now=T0 + 200)
    assert replica.kid == new_kid
    assert replica.verify(before, "pension-claim", now=T0 + 200)
    assert stat.S_IMODE((keys / "signing.pem").stat().st_mode) == 0o600


def test_retired_keys_are_pruned_after_one_token_lifetime(keys: Path, signer: Signer) -> None:
    old_kid = signer.kid
    signer.rotate(now=T0)
    assert len(list((keys / "retired").glob("*.pem"))) == 1
    still = Signer(keys, ISSUER, TTL, now=T0 + TTL)
    assert old_kid in [k["kid"] for k in still.jwks()["keys"]]
    later = Signer(keys, ISSUER, TTL, now=T0 + TTL + 1)
    assert [k["kid"] for k in later.jwks()["keys"]] == [later.kid]
    assert list((keys / "retired").glob("*.pem")) == []


def test_replica_picks_up_a_rotation_made_elsewhere(keys: Path, signer: Signer, monkeypatch: pytest.MonkeyPatch) -> None:
    replica = Signer(keys, ISSUER, TTL, now=T0)
    signer.rotate(now=T0 + 10)
    token, _, _ = signer.issue("pension-claim", {}, "en", "web", now=T0 + 10)
    monkeypatch.setattr(tokens, "RELOAD_EVERY_S", 0.0)
    assert replica.verify(token, "pension-claim", now=T0 + 20)
    assert replica.kid == signer.kid


def test_a_key_file_of_another_type_is_rejected(keys: Path) -> None:
    keys.mkdir()
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (keys / "signing.pem").write_bytes(pem)
    with pytest.raises(ValueError, match="not an Ed25519 private key"):
        Signer(keys, ISSUER, TTL)


@pytest.mark.parametrize("ttl", [0, 901, 3600])
def test_ttl_outside_1_to_900_is_refused(keys: Path, ttl: int) -> None:
    with pytest.raises(SettingsError, match="between 1 and 900"):
        Settings(token_ttl_seconds=ttl)
    with pytest.raises(ValueError, match="between 1 and 900"):
        Signer(keys, ISSUER, ttl)


def test_signer_from_settings_uses_data_dir_and_public_url(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, public_url=ISSUER, token_ttl_seconds=300)
    signer = Signer.from_settings(settings)
    assert (tmp_path / "keys" / "signing.pem").is_file()
    token, _, exp = signer.issue("pension-claim", {}, "en", "web", now=T0)
    assert exp == T0 + 300
    assert signer.verify(token, "pension-claim", now=T0)["iss"] == ISSUER

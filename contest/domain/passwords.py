"""Password hashing with Argon2id (argon2-cffi)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_HASHERS = {
    "default": PasswordHasher(),
    # Same algorithm, cheaper parameters: only for the test config.
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128


def _cost() -> str:
    return current_app.config.get("PASSWORD_HASH_COST", "default")


def _hasher() -> PasswordHasher:
    return _HASHERS[_cost()]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_time() -> None:
    """Spend the time of one verification, so a log-in for an unknown e-mail
    takes as long as one with a wrong password (no account enumeration by timing).

    The stand-in hash is made by the hasher in use, so it carries the same
    parameters (and costs the same to check) as the accounts' own hashes."""
    verify_password(_dummy_hash(), "not the password")


@cache
def _dummy_hash_at(cost: str) -> str:
    """The stand-in hash for a cost: made once per process, never changes."""
    return _HASHERS[cost].hash("dummy password for timing")


_dummy_hash_at("default")  # made at import for the production cost, so the first unknown e-mail is not slower either


def _dummy_hash() -> str:
    return _dummy_hash_at(_cost())

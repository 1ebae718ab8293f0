"""Password hashing with argon2 (argon2-cffi), rehashed on login when parameters change."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 12


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["ARGON2_PARAMS"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


#: verified against on unknown emails, so both failures take the same time
_DUMMY_HASHES: dict[tuple, str] = {}


def burn_equal_time(password: str) -> None:
    key = tuple(sorted(current_app.config["ARGON2_PARAMS"].items()))
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hash_password("not-a-real-password-0000")
    verify_password(_DUMMY_HASHES[key], password)

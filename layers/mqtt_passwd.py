"""Passwords in mosquitto's own hashed form, so a broker's password file can be written
from the twin's keys table without ever storing a key in clear.

mosquitto 2 reads `user:$7$<iterations>$<salt>$<hash>`: PBKDF2-HMAC-SHA512 over a
12-byte salt, both base64-encoded (what `mosquitto_passwd -b` writes).

>>> line = password_line("gw-1", mosquitto_hash("s3cret"))
>>> line.startswith("gw-1:$7$101$")
True
>>> check_mosquitto_hash("s3cret", line.split(":", 1)[1])
True
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["check_mosquitto_hash", "mosquitto_hash", "password_line"]

# mosquitto_passwd's default; keys are long random tokens, so stretching adds little.
ITERATIONS = 101
SALT_BYTES = 12


def mosquitto_hash(password: str, iterations: int = ITERATIONS) -> str:
    """`password` hashed the way mosquitto 2 checks it (`$7$...`)."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_mosquitto_hash(password: str, hashed: str) -> bool:
    """Whether `password` matches a `$7$` hash (for tests and diagnostics)."""
    try:
        _, kind, iterations, salt, digest = hashed.split("$")
        if kind != "7":
            return False
        mine = hashlib.pbkdf2_hmac(
            "sha512", password.encode(), base64.b64decode(salt), int(iterations)
        )
    except ValueError:
        return False
    return hmac.compare_digest(base64.b64encode(mine).decode(), digest)


def password_line(username: str, hashed: str) -> str:
    """One line of a mosquitto password file; refuses names mosquitto would misread."""
    if not username or ":" in username or any(c.isspace() for c in username):
        raise ValueError(f"MQTT username {username!r} must be non-empty, without ':' or spaces")
    return f"{username}:{hashed}"

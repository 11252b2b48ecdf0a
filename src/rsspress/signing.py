"""Signed image URLs: <base>/<hex HMAC-SHA256 of the URL>/<base64url of the URL>.

Content signs them, the proxy checks them: both import this bottom-layer module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac


def signature(url: str, key: bytes) -> str:
    return hmac.new(key, url.encode("utf-8"), hashlib.sha256).hexdigest()


def encode(url: str) -> str:
    return base64.urlsafe_b64encode(url.encode("utf-8")).rstrip(b"=").decode("ascii")


def signed_path(url: str, key: bytes) -> str:
    return f"{signature(url, key)}/{encode(url)}"


def signed_url(base: str, url: str, key: bytes) -> str:
    return f"{base.rstrip('/')}/{signed_path(url, key)}"


class BadSignature(Exception):
    pass


def verify(sig: str, encoded: str, key: bytes) -> str:
    """The URL, if the signature is right; BadSignature otherwise. Constant-time compare."""
    try:
        url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadSignature("malformed URL encoding") from None
    if not hmac.compare_digest(signature(url, key).encode(), sig.encode("ascii", "replace")):
        raise BadSignature("wrong signature")
    return url

"""Bytes that are text, whatever their declared media type says.

A model reads a plain-text, Markdown, CSV, JSON or code file as text, so a guard must read
it too; the media type is the sender's choice (an attacker's too). Bytes that decode as
UTF-8, or as UTF-16 with a byte-order mark, are text. Binary files (images, PDFs with
compressed streams, office documents) are not.
"""

from __future__ import annotations

import base64
import binascii
import codecs


def decoded_text(raw: bytes) -> str | None:
    """`raw` as text, or None when it is not text."""
    try:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return raw.decode("utf-16")
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def base64_text(data: str) -> str | None:
    """The text a base64 payload carries, or None (not base64, or not text)."""
    try:
        return decoded_text(base64.b64decode(data))
    except (binascii.Error, ValueError):
        return None


def text_base64(text: str, like: str) -> str:
    """`text` encoded back as base64, in the encoding `base64_text` read from `like`."""
    raw = base64.b64decode(like)
    if raw.startswith(codecs.BOM_UTF16_LE):
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    elif raw.startswith(codecs.BOM_UTF16_BE):
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        data = text.encode("utf-8")
    return base64.b64encode(data).decode("ascii")

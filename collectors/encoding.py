"""Decoding page bytes the way a browser would, even when the page lies about its charset."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

__all__ = ["decode_html"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w\-:]+)""", re.IGNORECASE)


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 rejects as Windows-1252 (pages that mix the two)."""
    assert isinstance(error, UnicodeDecodeError)  # noqa: S101  registered for decoding only
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("aduan-cp1252", _cp1252_fallback)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def decode_html(content: bytes, declared: str | None = None) -> tuple[str, str]:
    """Text and the encoding used, trusting the bytes over what the page declares.

    Valid UTF-8 wins over a wrong declared charset; a declared single-byte charset is
    used when the bytes decode with it; a page that mixes UTF-8 with Windows-1252 bytes
    is read as both; otherwise charset detection decides.
    """
    if content.startswith(codecs.BOM_UTF8):
        return content[3:].decode("utf-8", errors="replace"), "utf-8"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = [declared]
    meta = _META_CHARSET.search(content[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    for name in candidates:
        if not name:
            continue
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        if codec in ("utf-8", "ascii"):
            continue  # UTF-8 just failed
        if codec in ("latin-1", "iso8859-1"):
            codec = "cp1252"  # what browsers do with a declared Latin-1
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError:
            continue
    if _UTF8_MULTIBYTE.search(content):
        return content.decode("utf-8", errors="aduan-cp1252"), "utf-8+cp1252"
    guess = from_bytes(content).best()
    if guess is not None and guess.encoding not in ("utf_8", "ascii"):
        return str(guess), guess.encoding
    return content.decode("cp1252", errors="replace"), "cp1252"

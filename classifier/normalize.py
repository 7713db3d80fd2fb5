"""Normalising informal Indonesian for the classifier: case, links, handles, hashtags,
stretched letters, slang and abbreviations, numbers and personal identifiers."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from aduan.redact import replace_personal_data

__all__ = ["normalize_text"]

SLANG_FILE = Path(__file__).resolve().parent / "data" / "slang.yaml"
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@(\w{1,30})")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_STRETCH = re.compile(r"([a-z])\1{2,}")
_REDUP = re.compile(r"\b([a-z]{2,})2\b")  # "anak2" -> "anak anak"
_TOKEN = re.compile(r"[a-z_]+")


@lru_cache(maxsize=1)
def _slang() -> dict[str, str]:
    data = yaml.safe_load(SLANG_FILE.read_text(encoding="utf-8")) or {}
    return {str(k).lower(): str(v).lower() for k, v in data.items()}


def _split_hashtag(match: re.Match[str]) -> str:
    return " " + _CAMEL.sub(" ", match.group(1)) + " "


def normalize_text(text: str) -> str:
    """One string of lower-case standard words, with placeholders for links and numbers.

    >>> normalize_text("Tolonggg @DishubBjm, jln di #JalanAYani rusak bgt!! hub 0812-3456-7890")
    'tolong dishubbjm jalan di jalan a yani rusak banget hub _telp_'
    """
    text = _URL.sub(" _url_ ", text)
    text = replace_personal_data(text)  # NIK, phone, e-mail: aduan.redact
    text = _HASHTAG.sub(_split_hashtag, text)
    text = _HANDLE.sub(r" \1 ", text)
    text = text.lower()
    text = _REDUP.sub(r"\1 \1", text)
    text = _NUMBER.sub(" _num_ ", text)
    text = _STRETCH.sub(r"\1", text)
    slang = _slang()
    words = [slang.get(w, w) for w in _TOKEN.findall(text)]
    return " ".join(w for w in words if w)

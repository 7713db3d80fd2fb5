"""Files attached to follow-up notes: photos of the repaired road, a PDF letter.

A file is accepted by what it is (its first bytes), not by the name or the type the
browser claims: JPEG, PNG, WebP and PDF only, each up to a size limit. Files are stored
content-addressed under the data folder (``attachments/ab/abcdef...``), so a rolled-back
note leaves at most an unreferenced file and the same photo sent twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from triage.actions import TriageError

__all__ = ["MAX_FILES", "Upload", "attachment_path", "check_upload", "store_upload"]

MAX_FILES = 3
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
_UNSAFE = re.compile(r"[^\w.() -]+")


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as the browser sent it (name as typed by the user, bytes as received)."""

    filename: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` by its magic bytes, or None when not accepted."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def safe_filename(name: str, content_type: str) -> str:
    """A display name without paths, control characters or a misleading extension."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem = _UNSAFE.sub("_", Path(name).stem).strip(" ._")[:80] or "lampiran"
    return stem + _EXTENSIONS[content_type]


def check_upload(upload: Upload, *, max_bytes: int) -> tuple[str, str]:
    """``(display name, content type)`` of an acceptable file; TriageError otherwise."""
    shown = upload.filename[:80] or "berkas"
    if not upload.data:
        raise TriageError(f"lampiran '{shown}' kosong")
    if len(upload.data) > max_bytes:
        raise TriageError(
            f"lampiran '{shown}' terlalu besar ({len(upload.data) / 1e6:.1f} MB; "
            f"maksimal {max_bytes / 1e6:.0f} MB)"
        )
    content_type = sniff(upload.data)
    if content_type is None:
        raise TriageError(f"lampiran '{shown}' bukan foto (JPEG, PNG, WebP) atau PDF")
    return safe_filename(upload.filename, content_type), content_type


def attachment_path(data_dir: Path, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a sha256 digest")
    return data_dir / "attachments" / sha256[:2] / sha256


def store_upload(data_dir: Path, data: bytes) -> str:
    """Write the file (atomically, once) and return its sha256."""
    digest = hashlib.sha256(data).hexdigest()
    target = attachment_path(data_dir, digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest

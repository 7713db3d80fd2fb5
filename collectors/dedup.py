"""Grouping duplicates into clusters: same conversation, same content, or nearly the same.

Near-duplicates (one story on five sites, copy-pasted complaints) are found with MinHash
signatures and locality-sensitive hashing: each item writes 16 band buckets; a new item
is compared only with recent items that share a bucket, through an index lookup.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.fingerprint import ItemBucket, ItemFingerprint
from models.item import Item

__all__ = [
    "NEAR_DUPLICATE_THRESHOLD",
    "bucket_keys",
    "cluster_items",
    "estimate_similarity",
    "minhash_signature",
]

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS  # 4 rows per band: pairs above ~0.5 Jaccard become candidates
NEAR_DUPLICATE_THRESHOLD = 0.6
WINDOW = timedelta(days=30)
_PRIME = np.uint64(4294967311)  # the first prime above 2**32
_rng = np.random.default_rng(20261124)  # fixed: signatures must be stable across runs
_A = _rng.integers(1, 2**31, size=NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 2**31, size=NUM_PERM, dtype=np.uint64)
_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|\brt\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def _shingles(text: str) -> set[int]:
    words = _WORD.findall(_NOISE.sub(" ", text.casefold()))
    if len(words) < 3:
        grams = words
    else:
        grams = [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]
    return {zlib.crc32(g.encode()) for g in grams}


def minhash_signature(text: str) -> np.ndarray | None:
    """64 MinHash values (uint32) of the word 3-grams; ``None`` for an empty text."""
    shingles = _shingles(text)
    if not shingles:
        return None
    values = np.fromiter(shingles, dtype=np.uint64, count=len(shingles))
    hashed = (np.outer(_A, values) + _B[:, None]) % _PRIME
    return hashed.min(axis=1).astype(np.uint32)


def bucket_keys(signature: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (fits PostgreSQL BIGINT)."""
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def estimate_similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))


def _near_duplicate(
    session: Session, item_id: int, signature: np.ndarray, keys: list[int], since: datetime
) -> int | None:
    candidates = session.execute(
        select(ItemFingerprint.item_id, ItemFingerprint.signature)
        .join(ItemBucket, ItemBucket.item_id == ItemFingerprint.item_id)
        .where(
            ItemBucket.bucket.in_(keys),
            ItemFingerprint.created_at >= since,
            ItemFingerprint.item_id != item_id,
        )
        .distinct()
    ).all()
    best_id, best = None, NEAR_DUPLICATE_THRESHOLD
    for other_id, blob in candidates:
        score = estimate_similarity(signature, np.frombuffer(blob, dtype=np.uint32))
        if score >= best:
            best_id, best = other_id, score
    return best_id


def _cluster_of(session: Session, item_id: int | None) -> int | None:
    return session.scalar(select(Item.cluster_id).where(Item.id == item_id)) if item_id else None


def cluster_items(session: Session, item_ids: Sequence[int], *, now: datetime) -> int:
    """Give each unclustered item a cluster id; returns how many joined an existing cluster.

    Order of evidence: the same group key (a retweet and its original), the same content
    hash, then a near-duplicate among items fingerprinted in the last 30 days.
    """
    joined = 0
    for item_id in sorted(item_ids):
        item = session.get(Item, item_id)
        if item is None or item.cluster_id is not None:
            continue
        cluster = None
        if item.group_key:
            cluster = session.scalar(
                select(Item.cluster_id)
                .where(
                    Item.group_key == item.group_key,
                    Item.id != item.id,
                    Item.cluster_id.is_not(None),
                )
                .order_by(Item.id)
                .limit(1)
            )
        if cluster is None:
            cluster = session.scalar(
                select(Item.cluster_id)
                .where(
                    Item.content_hash == item.content_hash,
                    Item.id != item.id,
                    Item.cluster_id.is_not(None),
                )
                .order_by(Item.id)
                .limit(1)
            )
        signature = minhash_signature(f"{item.title or ''}\n{item.text}")
        if signature is not None:
            keys = bucket_keys(signature)
            if cluster is None:
                cluster = _cluster_of(
                    session, _near_duplicate(session, item.id, signature, keys, now - WINDOW)
                )
            if session.get(ItemFingerprint, item.id) is None:
                session.add(
                    ItemFingerprint(item_id=item.id, signature=signature.tobytes(), created_at=now)
                )
                session.add_all(ItemBucket(bucket=k, item_id=item.id) for k in set(keys))
        item.cluster_id = cluster or item.id
        joined += int(cluster is not None)
        session.flush()
    return joined

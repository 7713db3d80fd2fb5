"""Posts from X through tweepy's API v2 client: recent search, incremental and bounded.

Cursor per query: ``{"since_id": ..., "resume": {"next_token": ..., "newest_id": ...}}``.
Recent search pages go from newest to oldest; when a run stops early (page limit or a
429), ``resume`` keeps the place so the next run fetches the rest before moving
``since_id`` forward. The cursor is saved with the items, in one transaction.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import httpx
import requests
import tweepy

from collectors.base import FetchResult, RawItem, SourceSpec
from collectors.dates import parse_datetime
from collectors.deadline import DeadlineAdapter
from collectors.errors import (
    CollectorError,
    MissingCredentials,
    PermanentError,
    TransientError,
)
from models.enums import SourceKind

__all__ = ["X_API_HOST", "ApiTransportAdapter", "XCollector", "tweet_to_item"]

log = logging.getLogger(__name__)

X_API_HOST = "https://api.twitter.com"
TWEET_FIELDS = [
    "created_at",
    "author_id",
    "conversation_id",
    "referenced_tweets",
    "public_metrics",
    "lang",
    "entities",
    "edit_history_tweet_ids",
]
#: "location": what the author's profile says, a region hint for a tweet naming no place.
USER_FIELDS = ["username", "name", "verified", "location"]
EXPANSIONS = ["author_id", "referenced_tweets.id", "referenced_tweets.id.author_id"]


class ApiTransportAdapter(DeadlineAdapter):
    """The one seam into tweepy's hard-coded host: a timeout per read, an overall deadline
    per request, and optionally another base URL (tests replay recorded responses from a
    server on 127.0.0.1)."""

    def __init__(
        self, *, timeout: float, base_url: str | None = None, deadline: float = 60.0
    ) -> None:
        super().__init__(deadline=deadline, max_retries=0)
        self.timeout = timeout
        self.base_url = base_url.rstrip("/") if base_url else None

    def send(  # type: ignore[override]  # requests passes these by keyword
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        if self.base_url and request.url and request.url.startswith(X_API_HOST):
            request.url = self.base_url + request.url[len(X_API_HOST) :]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def _query_key(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:16]


class XCollector:
    kind: ClassVar[SourceKind] = SourceKind.X

    def __init__(
        self,
        *,
        bearer_token: str | None,
        base_url: str | None = None,
        timeout: float = 20.0,
        deadline: float = 60.0,
        max_pages: int = 5,
        wait_on_rate_limit: bool = False,
    ) -> None:
        self.bearer_token = bearer_token
        self.base_url = base_url
        self.timeout = timeout
        self.deadline = deadline
        self.max_pages = max_pages
        self.wait_on_rate_limit = wait_on_rate_limit

    def _client(self) -> tweepy.Client:
        client = tweepy.Client(
            bearer_token=self.bearer_token,
            return_type=dict,
            wait_on_rate_limit=self.wait_on_rate_limit,
        )
        client.session.mount(
            X_API_HOST + "/",
            ApiTransportAdapter(
                timeout=self.timeout, base_url=self.base_url, deadline=self.deadline
            ),
        )
        return client

    def fetch(self, source: SourceSpec, *, client: httpx.Client) -> FetchResult:
        if not self.bearer_token:
            raise MissingCredentials(
                "token X (ADUAN_X_BEARER_TOKEN) belum diisi: sumber X dinonaktifkan sampai "
                "token diisi dan 'aduan db init' dijalankan lagi"
            )
        queries = list(source.config.get("queries") or [])
        if not queries:
            raise PermanentError(f"sumber '{source.name}' tidak punya kueri (queries)")
        api = self._client()
        states = dict(source.cursor.get("queries", {}))
        items: list[RawItem] = []
        warnings: list[str] = []
        seen: set[str] = set()
        for query in queries:
            key = _query_key(query)
            try:
                found, states[key], note = self._search(api, query, states.get(key, {}))
            except CollectorError:
                if items:  # keep what earlier queries found; this one resumes next run
                    warnings.append(f"kueri berhenti: {query[:60]}...")
                    break
                raise
            for item in found:
                if item.external_id not in seen:
                    seen.add(item.external_id)
                    items.append(item)
            if note:
                warnings.append(note)
                if "429" in note:
                    break  # the limit is per app: the other queries would fail too
        return FetchResult(items=tuple(items), cursor={"queries": states}, warnings=tuple(warnings))

    def _search(
        self, api: tweepy.Client, query: str, state: Mapping[str, Any]
    ) -> tuple[list[RawItem], dict[str, Any], str | None]:
        since_id = state.get("since_id")
        resume = state.get("resume") or {}
        next_token = resume.get("next_token")
        newest = resume.get("newest_id")
        items: list[RawItem] = []
        for _page in range(self.max_pages):
            params: dict[str, Any] = {
                "max_results": 100,
                "tweet_fields": TWEET_FIELDS,
                "user_fields": USER_FIELDS,
                "expansions": EXPANSIONS,
            }
            if since_id:
                params["since_id"] = since_id
            if next_token:
                params["next_token"] = next_token
            try:
                response = api.search_recent_tweets(query, **params)
            except tweepy.TooManyRequests as exc:
                paused = {"since_id": since_id}
                if next_token or newest:
                    paused["resume"] = {"next_token": next_token, "newest_id": newest}
                note = f"X 429 (dibatasi), lanjut pada proses berikutnya (reset {exc.reset_time})"
                if not items and not next_token:
                    raise TransientError(note) from exc
                return items, paused, note
            except tweepy.BadRequest as exc:
                if next_token:  # an expired pagination token: start afresh next time
                    return (
                        items,
                        {"since_id": newest or since_id},
                        f"token halaman kedaluwarsa: {exc}",
                    )
                raise PermanentError(f"kueri X ditolak: {exc}") from exc
            except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
                raise PermanentError(f"akses X ditolak: {exc}") from exc
            except tweepy.TwitterServerError as exc:
                raise TransientError(f"server X galat: {exc}") from exc
            except requests.RequestException as exc:
                detail = f" ({exc})" if isinstance(exc, requests.Timeout) else ""
                raise TransientError(
                    f"gagal menghubungi X: {exc.__class__.__name__}{detail}"
                ) from exc
            meta = response.get("meta", {})
            newest = newest or meta.get("newest_id")
            items.extend(_page_items(response))
            next_token = meta.get("next_token")
            if not next_token:
                return items, {"since_id": newest or since_id}, None
        resume_state = {"next_token": next_token, "newest_id": newest}
        return items, {"since_id": since_id, "resume": resume_state}, None


def _page_items(response: Mapping[str, Any]) -> list[RawItem]:
    includes = response.get("includes", {})
    users = {u["id"]: u for u in includes.get("users", [])}
    referenced = {t["id"]: t for t in includes.get("tweets", [])}
    items = []
    for tweet in response.get("data", []) or []:
        item = tweet_to_item(tweet, users=users, referenced=referenced)
        if item is not None:
            items.append(item)
    return items


def tweet_to_item(
    tweet: Mapping[str, Any],
    *,
    users: Mapping[str, Mapping[str, Any]],
    referenced: Mapping[str, Mapping[str, Any]],
) -> RawItem | None:
    tweet_id = str(tweet.get("id") or "")
    text = tweet.get("text") or ""
    if not tweet_id or not text.strip():
        return None
    user = users.get(tweet.get("author_id", ""), {})
    username = user.get("username")
    refs = {r.get("type"): r.get("id") for r in tweet.get("referenced_tweets", []) or []}
    original_id = refs.get("retweeted") or refs.get("quoted")
    if "retweeted" in refs and refs["retweeted"] in referenced:
        original = referenced[refs["retweeted"]]
        original_user = users.get(original.get("author_id", ""), {}).get("username", "")
        text = f"RT @{original_user}: {original.get('text', '')}"  # the untruncated text
    published: datetime | None = parse_datetime(tweet.get("created_at"))
    url = f"https://x.com/{username or 'i'}/status/{tweet_id}"
    return RawItem(
        external_id=tweet_id,
        url=url,
        title=None,
        text=text,
        author=f"@{username}" if username else None,
        published_at=published,
        raw={
            "tweet": dict(tweet),
            "author": dict(user),
            "referenced": {k: dict(referenced[v]) for k, v in refs.items() if v in referenced},
        },
        group_key=f"x:{original_id or tweet_id}",
    )

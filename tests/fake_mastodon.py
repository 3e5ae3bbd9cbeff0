"""A small fake Mastodon instance: accounts and statuses served as the public API does,
with the anonymous context limits (40 ancestors, 60 descendants, 20 deep).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from tests.server import FakeServer, Reply, Request

BASE_TIME = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
MAX_ANCESTORS = 40
MAX_DESCENDANTS = 60
MAX_DEPTH = 20


#: Crockford's base 32, as GoToSocial's ULIDs use it.
ULID_LETTERS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Base 62, as Pleroma's and Akkoma's flake IDs use it.
FLAKE_LETTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _encode(number: int, letters: str, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, len(letters))
        digits.append(letters[digit])
    return "".join(reversed(digits))


class FakeMastodon:
    """Accounts and statuses on one instance, and the endpoints that serve them.

    ``flavour`` picks whose shape the answers take, from the servers that speak Mastodon's
    client API: ``"mastodon"``; ``"gotosocial"`` (ULID IDs, ``/@user/statuses/ID`` web
    addresses, ``emojis`` and ``card: null`` always sent); ``"akkoma"`` (flake IDs,
    ``/notice/ID`` web addresses, ``/objects/UUID`` URIs, ``pleroma`` and ``akkoma`` extras,
    no ``card`` key); ``"old"`` (a server that sends IDs as JSON numbers).
    """

    def __init__(self, server: FakeServer, flavour: str = "mastodon") -> None:
        self.base = server.url
        self.host = urlsplit(server.url).netloc
        self.flavour = flavour
        self.accounts: dict[str, dict[str, Any]] = {}
        self.statuses: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()
        #: Each edited status's earlier versions (content, spoiler text, when), oldest first.
        self.history: dict[str, list[tuple[str, str, str]]] = {}
        #: Answer every call with 401, like an instance that closed its API.
        self.closed = False
        self._ids = itertools.count(110000000000000001)
        server.route("/api/v1/accounts/lookup", self.lookup)
        server.route_prefix("/api/v1/accounts/", self.account_statuses)
        server.route_prefix("/api/v1/statuses/", self.status_or_context)

    def _new_id(self) -> str:
        """The next ID, in the flavour's form; every form sorts in time order."""
        number = next(self._ids)
        if self.flavour == "gotosocial":
            return "01J" + _encode(number, ULID_LETTERS, 23)
        if self.flavour == "akkoma":
            return "Ak" + _encode(number, FLAKE_LETTERS, 16)
        return str(number)

    def _wire(self, value: str) -> Any:
        """An ID as the flavour sends it."""
        return int(value) if self.flavour == "old" else value

    def account(self, username: str, display_name: str = "") -> dict[str, Any]:
        """Create a local account."""
        account_id = self._new_id()
        account: dict[str, Any] = {
            "id": self._wire(account_id),
            "username": username,
            "acct": username,
            "display_name": display_name or username.title(),
            "url": f"{self.base}/@{username}",
        }
        if self.flavour == "akkoma":
            account["url"] = f"{self.base}/users/{username}"
            account["pleroma"] = {"is_admin": False, "relationship": {}, "tags": []}
        if self.flavour == "gotosocial":
            account["emojis"] = []
            account["role"] = {"name": "user"}
        self.accounts[account_id] = account
        return account

    def status(
        self,
        account: dict[str, Any],
        content: str,
        *,
        reply_to: str = "",
        minutes: float | None = None,
        cw: str = "",
        media: list[dict[str, Any]] | None = None,
    ) -> str:
        """Post a status (``content`` is HTML); returns its ID."""
        status_id = self._new_id()
        number = len(self.statuses) + len(self.accounts) + 1
        when = BASE_TIME + timedelta(minutes=number if minutes is None else minutes)
        parent = self.statuses.get(reply_to)
        user = account["username"]
        status: dict[str, Any] = {
            "id": self._wire(status_id),
            "created_at": when.isoformat().replace("+00:00", ".000Z"),
            "in_reply_to_id": self._wire(reply_to) if reply_to else None,
            "in_reply_to_account_id": parent["account"]["id"] if parent else None,
            "sensitive": bool(cw),
            "spoiler_text": cw,
            "visibility": "public",
            "uri": f"{self.base}/users/{user}/statuses/{status_id}",
            "url": f"{self.base}/@{user}/{status_id}",
            "content": content,
            "reblog": None,
            "account": account,
            "media_attachments": media or [],
            "card": None,
        }
        if self.flavour == "gotosocial":
            status["url"] = f"{self.base}/@{user}/statuses/{status_id}"
            status["emojis"] = []
            status["text"] = ""  # GoToSocial sends the source text only to its author
        if self.flavour == "akkoma":
            status["uri"] = f"{self.base}/objects/{hashlib.md5(status_id.encode()).hexdigest()}"
            status["url"] = f"{self.base}/notice/{status_id}"
            del status["card"]
            status["pleroma"] = {
                "conversation_id": 7,
                "in_reply_to_account_acct": parent["account"]["acct"] if parent else None,
                "local": True,
                "content": {"text/plain": ""},
                "spoiler_text": {"text/plain": cw},
                "parent_visible": True,
            }
            status["akkoma"] = {"source": {"content": "", "mediaType": "text/plain"}}
        self.statuses[status_id] = status
        return status_id

    def chain(self, account: dict[str, Any], count: int, *, reply_to: str = "") -> list[str]:
        """A thread of ``count`` self-replies; returns the IDs in order."""
        ids: list[str] = []
        for index in range(count):
            parent = ids[-1] if ids else reply_to
            ids.append(
                self.status(account, f"<p>Toot {index + 1} of {count}.</p>", reply_to=parent)
            )
        return ids

    def edit(self, status_id: str, content: str, *, minutes: float = 600) -> None:
        """Edit a status as Mastodon does: ``edited_at`` set, the old text in its history."""
        status = self.statuses[status_id]
        when = (BASE_TIME + timedelta(minutes=minutes)).isoformat().replace("+00:00", ".000Z")
        self.history.setdefault(status_id, []).append(
            (
                status["content"],
                status["spoiler_text"],
                status.get("edited_at") or status["created_at"],
            )
        )
        status["content"] = content
        status["edited_at"] = when

    def account_url(self, username: str) -> str:
        """The web address of an account's profile, in the flavour's form."""
        return next(str(a["url"]) for a in self.accounts.values() if a["username"] == username)

    def url_of(self, status_id: str) -> str:
        """The web address of a status."""
        return str(self.statuses[status_id]["url"])

    # Handlers ---------------------------------------------------------------------------

    def _closed(self) -> Reply | None:
        if self.closed:
            if self.flavour == "gotosocial":
                return Reply.json({"error": "Unauthorized: token not supplied"}, 401)
            return Reply.json({"error": "This API requires an authenticated user"}, 401)
        return None

    def lookup(self, request: Request) -> Reply:
        """``/api/v1/accounts/lookup?acct=``."""
        if (closed := self._closed()) is not None:
            return closed
        acct = request.query.get("acct", "").split("@")[0]
        for account in self.accounts.values():
            if account["username"] == acct:
                return Reply.json(account)
        return Reply.json({"error": "Record not found"}, 404)

    def _replies(self, status_id: str) -> list[dict[str, Any]]:
        found = [
            s
            for s in self.statuses.values()
            if str(s["in_reply_to_id"]) == status_id and str(s["id"]) not in self.deleted
        ]
        # Other people first, then newest first: a client must not trust this order.
        newest_first = sorted(found, key=lambda s: s["created_at"], reverse=True)
        author = self._author_of(status_id)
        return sorted(newest_first, key=lambda s: str(s["account"]["id"]) == author)

    def _author_of(self, status_id: str) -> str:
        return str(self.statuses[status_id]["account"]["id"])

    def status_or_context(self, request: Request) -> Reply:
        """``/api/v1/statuses/:id`` and ``/api/v1/statuses/:id/context``."""
        if (closed := self._closed()) is not None:
            return closed
        parts = request.path.split("/")
        status_id = parts[4] if len(parts) > 4 else ""
        if status_id not in self.statuses or status_id in self.deleted:
            return Reply.json({"error": "Record not found"}, 404)
        if len(parts) == 5:
            return Reply.json(self.statuses[status_id])
        if parts[5] == "history":
            status = self.statuses[status_id]
            versions = [
                {"content": content, "spoiler_text": cw, "created_at": when}
                for content, cw, when in self.history.get(status_id, [])
            ]
            current = status.get("edited_at") or status["created_at"]
            versions.append(
                {
                    "content": status["content"],
                    "spoiler_text": status["spoiler_text"],
                    "created_at": current,
                }
            )
            return Reply.json(versions)
        if parts[5] != "context":
            return Reply.json({"error": "Record not found"}, 404)
        ancestors: list[dict[str, Any]] = []
        parent = str(self.statuses[status_id]["in_reply_to_id"] or "")
        while parent and parent in self.statuses and parent not in self.deleted:
            ancestors.insert(0, self.statuses[parent])
            parent = str(self.statuses[parent]["in_reply_to_id"] or "")
        ancestors = ancestors[-MAX_ANCESTORS:]
        descendants: list[dict[str, Any]] = []

        def walk(current: str, depth: int) -> None:
            if depth > MAX_DEPTH:
                return
            for reply in self._replies(current):
                if len(descendants) >= MAX_DESCENDANTS:
                    return
                descendants.append(reply)
                walk(str(reply["id"]), depth + 1)

        walk(status_id, 1)
        # Like Mastodon (Rails): a weak ETag of the body, and 304 when it still matches.
        body = json.dumps({"ancestors": ancestors, "descendants": descendants}).encode()
        tag = 'W/"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("if-none-match") == tag:
            return Reply(304, b"", {"etag": tag})
        return Reply(200, body, {"content-type": "application/json; charset=utf-8", "etag": tag})

    def account_statuses(self, request: Request) -> Reply:
        """``/api/v1/accounts/:id/statuses``: newest first, paged by ``max_id`` and ``Link``."""
        if (closed := self._closed()) is not None:
            return closed
        parts = request.path.split("/")
        account_id = parts[4] if len(parts) > 4 else ""
        if account_id not in self.accounts or len(parts) != 6 or parts[5] != "statuses":
            return Reply.json({"error": "Record not found"}, 404)
        limit = min(int(request.query.get("limit", "20")), 40)
        max_id = request.query.get("max_id", "")
        mine = sorted(
            (
                s
                for s in self.statuses.values()
                if str(s["account"]["id"]) == account_id
                and str(s["id"]) not in self.deleted
                and (not max_id or str(s["id"]) < max_id)
            ),
            key=lambda s: str(s["id"]),
            reverse=True,
        )
        page = mine[:limit]
        body = json.dumps(page).encode()
        tag = 'W/"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("if-none-match") == tag:
            return Reply(304, b"", {"etag": tag})
        headers = {"content-type": "application/json; charset=utf-8", "etag": tag}
        if len(mine) > limit:
            next_url = (
                f"{self.base}/api/v1/accounts/{account_id}/statuses?limit={limit}"
                f"&exclude_reblogs=true&max_id={page[-1]['id']}"
            )
            headers["link"] = f'<{next_url}>; rel="next"'
        return Reply(200, body, headers)

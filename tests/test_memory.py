"""Hostile servers, round two, item 1: memory per action is bounded, whatever servers send.

Each test runs the command line in a child process under an address-space limit (so a
regression fails here rather than swapping the machine) and reads its peak RSS. The servers
answer every request with tens of MB of junk that parses into hundreds of MB.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import pytest

from tests.conftest import Cli
from tests.server import FakeServer, Reply, Request

#: The issue's goal for the whole process, with eight authors syncing at once.
PEAK_MIB = 300
#: The child may map this much at most: far above the goal, far below what unbounded took.
ADDRESS_SPACE = 3 * 1024**3

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="peak RSS read on Linux")


def _run_limited(cli: Cli, *args: str) -> tuple[int, str, float]:
    """``tui-reader ARGS`` under the address-space limit: exit code, stderr, peak MiB."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TUI_READER")}
    env.update(
        TUI_READER_CONFIG=str(cli.config_path), TUI_READER_DATA_DIR=str(cli.data_dir), NO_COLOR="1"
    )

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    child = subprocess.Popen(
        [sys.executable, "-m", "tui_reader", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=limit,
    )
    assert child.stderr is not None
    err = child.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(child.pid, 0)
    return os.waitstatus_to_exitcode(status), err, usage.ru_maxrss / 1024


def _junk_statuses(count: int, account: dict[str, str]) -> list[dict[str, object]]:
    return [
        {
            "id": str(10**17 + n),
            "created_at": "2024-06-01T09:00:00.000Z",
            "in_reply_to_id": str(10**17 + n - 1),
            "in_reply_to_account_id": "999",
            "content": "<p>junk</p>",
            "account": account,
        }
        for n in range(count)
    ]


def test_eight_mastodon_authors_flooding_a_sync_stay_within_the_memory_goal(
    cli: Cli, server: FakeServer
) -> None:
    host = urlsplit(server.url).netloc
    accounts = {
        f"user{n}": {"id": str(n + 1), "username": f"user{n}", "acct": f"user{n}"} for n in range(8)
    }
    # One body for every page: 150,000 statuses (~24 MB), each page linking to another.
    page = orjson.dumps(_junk_statuses(150_000, {"id": "1", "acct": "user0"}))

    def lookup(request: Request) -> Reply:
        return Reply.json(accounts[request.query["acct"]])

    def statuses(request: Request) -> Reply:
        next_id = str(int(request.query.get("max_id", "9" * 17)) - 1)
        link = f'<{server.url}{request.path}?max_id={next_id}>; rel="next"'
        return Reply(200, page, {"content-type": "application/json", "link": link})

    server.route("/api/v1/accounts/lookup", lookup)
    server.route_prefix("/api/v1/accounts/", statuses)
    for name in accounts:
        assert cli("follow", f"{server.url}/@{name}").code == 0

    code, err, peak = _run_limited(cli, "sync")

    assert peak <= PEAK_MIB, f"peak RSS {peak:.0f} MiB"
    assert code == 1 and "Traceback" not in err
    assert "statuses for a page of 40; refusing it" in err, err[-500:]
    assert host in err or "user0" in err


def test_a_bluesky_unroll_of_flooding_answers_stays_within_the_memory_goal(
    cli: Cli, server: FakeServer
) -> None:
    did = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
    other = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"
    record = {"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2024-05-01T12:00:00Z"}
    # ~24 MB of other people's replies in every answer, kept as encoded JSON once.
    junk = orjson.dumps(
        [
            {
                "post": {
                    "uri": f"at://{other}/app.bsky.feed.post/3r{n}",
                    "author": {"did": other},
                    "record": record,
                }
            }
            for n in range(90_000)
        ]
    )[1:-1]

    def view(number: int) -> dict[str, object]:
        parent = f"at://{did}/app.bsky.feed.post/3k{number - 1}"
        own = dict(record, reply={"root": {"uri": parent}, "parent": {"uri": parent}})
        return {
            "uri": f"at://{did}/app.bsky.feed.post/3k{number}",
            "author": {"did": did},
            "record": own if number else record,
            "replyCount": 2,
        }

    def thread(request: Request) -> Reply:
        # Every post of the author's chain has one more below it, shown without its
        # replies (as past the depth limit), so each answer asks for another.
        number = int(request.query["uri"].rsplit("/3k", 1)[1])
        below = orjson.dumps({"post": view(number + 1)})
        body = (
            b'{"thread": {"post": '
            + orjson.dumps(view(number))
            + b', "replies": ['
            + below
            + b","
            + junk
            + b"]}}"
        )
        return Reply(200, body, {"content-type": "application/json"})

    server.route("/xrpc/app.bsky.feed.getPostThread", thread)
    out = Path(cli.data_dir).parent / "t.md"
    code, err, peak = _run_limited(
        cli, "unroll", f"https://bsky.app/profile/{did}/post/3k0", "-o", str(out)
    )
    assert peak <= PEAK_MIB, f"peak RSS {peak:.0f} MiB"
    assert code == 1 and "Traceback" not in err
    assert "sent more than 64 MB" in err


def test_a_hostile_image_server_stays_within_100_mb_over_the_usual(
    cli: Cli, server: FakeServer
) -> None:
    # Twenty 19 MB answers of junk served as PNG, a header claiming 100,000 × 100,000
    # pixels, and a gzip bomb: every one refused, the thread whole, and the process no more
    # than 100 MB above the same unroll with no images kept.
    import struct
    import zlib

    from tests.fake_bluesky import FakeAppView
    from tests.hostile import gzip_bomb
    from tests.test_media import keeping_images, thread_with_images

    junk = os.urandom(19 * 1024 * 1024)
    bomb = gzip_bomb(64 * 1024 * 1024)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    huge = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
        + chunk(b"IEND", b"")
    )
    png = {"content-type": "image/png"}
    for n in range(20):
        server.route(f"/img/junk{n}.png", lambda _r: Reply(200, junk, png))
    server.route("/img/huge.png", lambda _r: Reply(200, huge, png))
    server.route(
        "/img/bomb.png",
        lambda _r: Reply(200, bomb, {**png, "content-encoding": "gzip"}, encoded=True),
    )
    appview = FakeAppView()
    appview.install(server)
    paths = [f"/img/junk{n}.png" for n in range(20)] + ["/img/huge.png", "/img/bomb.png"]
    url = thread_with_images(appview, server, paths)

    code, err, usual = _run_limited(cli, "unroll", url)
    assert code == 0, err
    keeping_images(cli)
    code, err, peak = _run_limited(cli, "unroll", url)
    assert code == 0, err
    assert "22 refused" in err, err
    assert peak <= usual + 100, f"peak RSS {peak:.0f} MiB, {usual:.0f} MiB without images"

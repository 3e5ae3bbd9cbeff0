"""The demo's second round: a week after the first sync, Ines's tide-table thread (read and
watched) has grown by two posts and one of its posts was edited. Its answers are made from
the first round's recorded statuses, so the watch is fetched again by the real code."""

from __future__ import annotations

import copy
import json
from typing import Any

from tui_reader.fetch import replay_key

#: Ines's account statuses as first recorded (the first round's answer).
INES_FEED = (
    "https://social.example/api/v1/accounts/110000000000000001/statuses"
    "?exclude_reblogs=true&limit=40"
)
ROOT, EDITED, LAST = "110000000000000003", "110000000000000005", "110000000000000008"
#: When the reader last read the thread, in the demo's story.
READ_AT = "2024-06-02T08:00:00Z"
EDITED_AT = "2024-06-04T18:30:00.000Z"
EDIT = (
    "<p>Heights between the listed times are not a straight line. The rule of twelfths says "
    "the water moves 1/12, 2/12, 3/12, 3/12, 2/12, 1/12 of the range in each hour: a rough "
    "guide only, and a poor one where the tide is irregular.</p>"
)
ADDED = (
    (
        "110000000000000101",
        "<p>Added after questions: the times are for one standard port. Places nearby use "
        "secondary-port corrections, printed at the back of the table.</p>",
    ),
    (
        "110000000000000102",
        "<p>And always check which time zone the table uses: many are printed in standard "
        "time, so add an hour in summer.</p>",
    ),
)

Answers = dict[str, tuple[int, dict[str, str], bytes]]


def _json(data: Any, tag: str = "") -> tuple[int, dict[str, str], bytes]:
    headers = {"content-type": "application/json; charset=utf-8"}
    if tag:
        headers["etag"] = f'W/"{tag}"'
    return 200, headers, json.dumps(data).encode("utf-8")


def answers(first: Answers) -> Answers:
    """The answers the watched thread's second fetch asks for, made from ``first``."""
    statuses = {s["id"]: s for s in json.loads(first[replay_key(INES_FEED)][2])}
    chain = [statuses[str(number)] for number in range(int(ROOT), int(LAST) + 1)]
    edited = copy.deepcopy(statuses[EDITED])
    edited.update(content=EDIT, edited_at=EDITED_AT)
    chain = [edited if s["id"] == EDITED else s for s in chain]
    parent = LAST
    for number, (status_id, content) in enumerate(ADDED):
        status = copy.deepcopy(statuses[LAST])
        status.update(
            id=status_id,
            in_reply_to_id=parent,
            created_at=f"2024-06-05T1{number}:00:00.000Z",
            uri=f"https://social.example/users/ines/statuses/{status_id}",
            url=f"https://social.example/@ines/{status_id}",
            content=content,
        )
        chain.append(status)
        parent = status_id
    base = "https://social.example/api/v1/statuses"
    history = [
        {
            "content": statuses[EDITED]["content"],
            "spoiler_text": "",
            "created_at": "2024-06-01T09:05:00.000Z",
        },
        {"content": EDIT, "spoiler_text": "", "created_at": EDITED_AT},
    ]
    return {
        # The watch's one-request check: the context of the last post read.
        replay_key(f"{base}/{LAST}/context"): _json(
            {"ancestors": chain[:5], "descendants": chain[6:]}, "later-8"
        ),
        # Then the thread is unrolled again from its first post.
        replay_key(f"{base}/{ROOT}"): _json(chain[0]),
        replay_key(f"{base}/{ROOT}/context"): _json(
            {"ancestors": [], "descendants": chain[1:]}, "later-3"
        ),
        replay_key(f"{base}/{parent}/context"): _json(
            {"ancestors": chain[:-1], "descendants": []}, "later-last"
        ),
        replay_key(f"{base}/{EDITED}/history"): _json(history),
    }

"""What Twitter/X's addresses look like: shared by the Thread Reader App source and the
reader of its pages (a leaf, so neither imports the other for them)."""

from __future__ import annotations

import re

#: A tweet's ID in an address or a page: any run of digits (the first tweets had two).
TWEET_ID_RE = re.compile(r"^\d{1,25}\Z")
#: A Twitter/X handle, without its @.
HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{1,15}\Z")
#: The hosts of Twitter/X's own web pages.
TWITTER_HOSTS = frozenset(
    {"x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}
)

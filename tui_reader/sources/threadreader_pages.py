"""Reading Thread Reader App's HTML: thread pages, author pages, and the pages (or the text
copied from them) that users save. The source (``tui_reader.sources.threadreader``) loads this
module when it first reads a page, so that starting the reader does not pay for an HTML parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from itertools import islice
from urllib.parse import urlsplit

from tui_reader.clean import clean_line, clean_text
from tui_reader.errors import BadResponse, ReaderError
from tui_reader.limits import MAX_LINKS_PER_POST, MAX_MEDIA_PER_POST, cap_links
from tui_reader.models import (
    Author,
    Media,
    Post,
    Quote,
    Thread,
    ThreadSummary,
    make_preview,
    make_title,
)
from tui_reader.sources import SavedPage
from tui_reader.sources.twitter import HANDLE_RE, TWEET_ID_RE, TWITTER_HOSTS
from tui_reader.times import utc_now

SHORT_DATE_RE = re.compile(r"^([0-9]{1,2}) ([A-Z][a-z]{2})(?: ([0-9]{4}))?\Z")
MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
READ_N_RE = re.compile(r"^Read ([0-9]{1,6}) tweets?\Z")
SEPARATOR = "• • •"
#: Lines of the page's own furniture in a copied page: never thread text.
FURNITURE_END = "Did Thread Reader help you today?"


def tweet_url(handle: str, tweet_id: str) -> str:
    """The x.com address of a tweet."""
    return f"https://x.com/{handle}/status/{tweet_id}"


def _author(handle: str, name: str) -> Author:
    return Author(
        source="threadreader",
        id=handle.lower(),
        handle=handle,
        display_name=name,
        url=f"https://x.com/{handle}",
    )


# The page ---------------------------------------------------------------------------------


@dataclass
class _Tweet:
    id: str
    parts: list[str] = field(default_factory=list)
    #: An ordered set: membership in a list is quadratic in a hostile page's links.
    links: dict[str, None] = field(default_factory=dict)
    media: list[Media] = field(default_factory=list)
    quote: Quote | None = None


@dataclass
class _Card:
    """A thread listed on a page ("More from", an author's page): not its tweets, a preview."""

    handle: str = ""
    name: str = ""
    time: str = ""
    parts: list[str] = field(default_factory=list)
    url: str = ""
    label: str = ""


@dataclass
class _Embed:
    """A quoted tweet as the page embeds it: ``blockquote.twitter-tweet`` holding its text
    (in ``p``, on pages of 2019–2020) and a link to it (the date, or the bare address)."""

    parts: list[str] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)

    def quote(self) -> Quote | None:
        """The quote: the tweet linked (a status URL first, else any web link) and its text."""
        for href in self.hrefs:
            parts = urlsplit(href)
            segments = [s for s in parts.path.split("/") if s]
            if (
                parts.hostname in TWITTER_HOSTS
                and len(segments) >= 3
                and segments[1] == "status"
                and re.fullmatch(r"[A-Za-z0-9_]{1,50}", segments[0])
                and TWEET_ID_RE.match(segments[2])
            ):
                return Quote(tweet_url(segments[0], segments[2]), segments[0], _clean(self.parts))
        web = next((h for h in self.hrefs if h.startswith(("http://", "https://"))), "")
        return Quote(web, "", _clean(self.parts)) if web else None


class _PageParser(HTMLParser):
    """Reads a Thread Reader App thread page: the header and every ``content-tweet``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.name = ""
        self.handle = ""
        self.time = ""
        self.tweets: list[_Tweet] = []
        #: The ``data-screenname`` of each thread tweet: whose thread it is, whatever else
        #: the page lists ("More from" cards carry other handles).
        self.screen_names: list[str] = []
        self._ids: set[str] = set()
        self._done: set[str] = set()  # header fields read already: the first one counts
        self.cards: list[_Card] = []
        self._card: _Card | None = None
        self._card_depth = 0
        self._stack: list[tuple[str, set[str]]] = []  # open elements: tag, marks
        # How many open elements carry each mark, and how many of each tag are open: kept
        # as counts so that a deeply nested page is read in linear time.
        self._marks: dict[str, int] = {}
        self._open: dict[str, int] = {}
        self._tweet: _Tweet | None = None
        self._tweet_depth = 0
        self._embed: _Embed | None = None
        self._embed_depth = 0
        self._capture = ""  # "name" | "handle" while inside those links

    def _inside(self, mark: str) -> bool:
        return self._marks.get(mark, 0) > 0

    def _push(self, tag: str, marks: set[str]) -> None:
        self._stack.append((tag, marks))
        self._open[tag] = self._open.get(tag, 0) + 1
        for mark in marks:
            self._marks[mark] = self._marks.get(mark, 0) + 1

    def _pop_to(self, tag: str) -> bool:
        """Close the innermost open ``tag`` and everything opened inside it."""
        if not self._open.get(tag):
            return False  # a stray end tag in sloppy HTML
        while self._stack:
            name, marks = self._stack.pop()
            self._open[name] -= 1
            for mark in marks:
                self._marks[mark] -= 1
            if name == tag:
                return True
        return False  # pragma: no cover - the count said it was open

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: clean_line(value or "") for key, value in attrs}
        classes = set(attributes.get("class", "").split())
        marks: set[str] = set()
        if tag == "br":
            if self._embed is not None:
                if self._inside("quote-text"):
                    self._embed.parts.append("\n")
            elif self._tweet is not None and not self._inside("skip"):
                self._tweet.parts.append("\n")
            elif self._card is not None and self._inside("card-text"):
                self._card.parts.append("\n")
            return
        if tag in ("img", "meta", "link", "input", "hr"):
            self._void(tag, attributes, classes)
            return
        if tag == "script" or tag == "style":
            marks.add("skip")
        if (tag == "h4" and "twitter_name" in classes) or "username" in classes:
            # h4.twitter_name on recent pages, .username a on pages of 2019–2020.
            marks.add("name")
        if "screenName" in classes:
            marks.add("screen")
        if (
            "time" in classes
            and attributes.get("data-time")
            and self._card is None
            and "time" not in self._done
        ):
            # The thread's date: in .thread-info on recent pages, beside the name earlier.
            self.time = attributes["data-time"]
            self._done.add("time")
        if "thread-info" in classes:
            marks.add("info")
        if tag == "div" and "thread-card" in classes and self._card is None and self._tweet is None:
            self._card = _Card()
            self._card_depth = len(self._stack) + 1
            marks.add("card")
        if self._card is not None:
            self._card_start(tag, attributes, classes, marks)
        if tag == "div" and "content-tweet" in classes and self._tweet is None:
            tweet_id = attributes.get("data-tweet", "")
            if TWEET_ID_RE.match(tweet_id) and not self._inside("skip"):
                self._tweet = _Tweet(tweet_id)
                self._tweet_depth = len(self._stack) + 1
                marks.add("tweet")
                self.screen_names.append(attributes.get("data-screenname", ""))
        if self._tweet is not None:
            self._tweet_start(tag, attributes, classes, marks)
        if self._card is not None:
            pass  # a listed thread's names are its own, not the page's
        elif tag == "a" and self._inside("name") and "name" not in self._done:
            self._capture = "name"
        elif tag == "a" and self._inside("screen") and "handle" not in self._done:
            self._capture = "handle"
        self._push(tag, marks)

    def _tweet_start(
        self, tag: str, attributes: dict[str, str], classes: set[str], marks: set[str]
    ) -> None:
        tweet = self._tweet
        assert tweet is not None
        if tag == "sup" and "tw-permalink" in classes:
            marks.add("skip")
        if tag == "span" and "entity-image" in classes:
            marks.add("image")
        if tag == "span" and "entity-embed" in classes and self._embed is None:
            # A quoted tweet: its text and links are the quote's, not this tweet's.
            self._embed = _Embed()
            self._embed_depth = len(self._stack) + 1
            marks.add("embed")
        if self._embed is not None:
            if tag == "p":
                marks.add("quote-text")
            if tag == "a":
                self._embed.hrefs.append(attributes.get("href", ""))
            return
        if tag == "a" and "entity-url" in classes:
            # 2019–2020 pages link through t.co and keep the full address in data-url.
            href = next(
                (
                    url
                    for url in (attributes.get("data-url", ""), attributes.get("href", ""))
                    if url.startswith(("http://", "https://"))
                ),
                "",
            )
            if href:
                tweet.links[href] = None
                tweet.parts.append(href)
                marks.add("skip")  # its shortened text is replaced by the full URL

    def _card_start(
        self, tag: str, attributes: dict[str, str], classes: set[str], marks: set[str]
    ) -> None:
        card = self._card
        assert card is not None
        if "time" in classes and attributes.get("data-time"):
            card.time = attributes["data-time"]
        if "card-tweets" in classes:
            marks.add("card-text")
        if "content-tweet" in classes and self._inside("card-text") and card.parts:
            card.parts.append("\n\n")  # the card's next tweet
        if "screenName" in classes:
            marks.add("card-handle")
        if "username" in classes:
            marks.add("card-name")
        if tag == "a" and "tweet-url" in classes:
            card.url = attributes.get("href", "")
            marks.add("card-label")

    def _void(self, tag: str, attributes: dict[str, str], classes: set[str]) -> None:
        tweet = self._tweet
        if tag != "img" or tweet is None or self._inside("skip") or self._embed is not None:
            return
        if "emoji" in {c.lower() for c in classes}:
            # Emoji drawn as pictures: the character is the alt text.
            tweet.parts.append(attributes.get("alt", ""))
            return
        # Recent pages load images lazily (data-src; src is a 1px placeholder); pages of
        # 2019–2020 give the image in src, inside span.entity-image.
        source = attributes.get("data-src", "")
        if not source.startswith(("http://", "https://")) and self._inside("image"):
            source = attributes.get("src", "")
        if source.startswith(("http://", "https://")):
            tweet.media.append(Media("image", source, ""))

    def handle_endtag(self, tag: str) -> None:
        if not self._pop_to(tag):
            return
        if self._embed is not None and len(self._stack) < self._embed_depth:
            if self._tweet is not None and self._tweet.quote is None:
                self._tweet.quote = self._embed.quote()
            self._embed = None
        if tag == "a":
            value = self.name if self._capture == "name" else self.handle
            if self._capture and value.strip():
                self._done.add(self._capture)
            self._capture = ""
        if self._card is not None and len(self._stack) < self._card_depth:
            self.cards.append(self._card)
            self._card = None
        if self._tweet is not None and len(self._stack) < self._tweet_depth:
            if self._tweet.id not in self._ids:
                self._ids.add(self._tweet.id)
                self.tweets.append(self._tweet)
            self._tweet = None

    def handle_data(self, data: str) -> None:
        if self._inside("skip"):
            return
        # A line break in the HTML source is collapsible white space; only <br> breaks a line.
        data = clean_text(data).replace("\n", " ")
        if self._card is not None:
            if self._inside("card-text"):
                self._card.parts.append(data)
            elif self._inside("card-handle"):
                self._card.handle += data
            elif self._inside("card-name"):
                self._card.name += data
            elif self._inside("card-label"):
                self._card.label += data
            return
        if self._capture == "name":
            self.name += data
        elif self._capture == "handle":
            self.handle += data
        elif self._embed is not None:
            if self._inside("quote-text"):
                self._embed.parts.append(data)
        elif self._tweet is not None:
            self._tweet.parts.append(data)


def _unix_time(value: str) -> str:
    """``data-time`` (Unix seconds) as an ISO time; "" for anything that is not one."""
    if not re.fullmatch(r"[0-9]{1,12}", value):
        return ""
    try:
        when = datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, ValueError, OSError):
        return ""
    return when.isoformat().replace("+00:00", "Z")


def _clean(parts: list[str]) -> str:
    """HTML text to plain text: runs of spaces fold, explicit line breaks stay."""
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def parse_page(html: str, base_url: str = "https://threadreaderapp.com") -> Thread:
    """A thread page (fetched, or saved by a browser) as a ``Thread``."""
    return parse_page_and_list(html, base_url).thread


def _listed(cards: list[_Card], author: Author, base_url: str, when: str) -> list[ThreadSummary]:
    """The threads a page lists ("More from @…"), each to be unrolled from its address."""
    found: list[ThreadSummary] = []
    for card in cards:
        match = re.search(r"/thread/([0-9]{5,25})\.html\Z", urlsplit(card.url).path)
        count = READ_N_RE.match(" ".join(card.label.split()))
        text = _clean(card.parts)
        if match is None or not text:
            continue
        handle = card.handle.strip().lstrip("@")
        who = author if handle.lower() == author.id or not HANDLE_RE.match(handle) else None
        found.append(
            _listed_thread(
                match.group(1),
                f"{base_url.rstrip('/')}/thread/{match.group(1)}.html",
                text,
                who or _author(handle, clean_line(card.name)),
                _unix_time(card.time),
                when,
                int(count.group(1)) if count else 0,
            )
        )
    return found


def _listed_thread(
    key: str, url: str, text: str, author: Author, created_at: str, seen_at: str, count: int
) -> ThreadSummary:
    """A thread known only from a list on a page: its first tweets, not fetched yet."""
    return ThreadSummary(
        id=f"threadreader:{key}",
        source="threadreader",
        url=url,
        title=make_title(text),
        author=author,
        created_at=created_at,
        fetched_at=seen_at,
        post_count=count,
        preview=make_preview(text),
        fetched=False,
    )


def parse_page_and_list(html: str, base_url: str = "https://threadreaderapp.com") -> SavedPage:
    """A thread page as its thread and the other threads it lists ("More from")."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    named = [name for name in parser.screen_names if HANDLE_RE.match(name)]
    handle = named[0] if named else parser.handle.strip().lstrip("@")
    if not parser.tweets or not HANDLE_RE.match(handle):
        raise BadResponse("this is not a Thread Reader App thread page (no tweets found)")
    # The header's name belongs to the header's handle: on a page whose tweets say they are
    # another author's, it is not taken as theirs.
    header = parser.handle.strip().lstrip("@")
    name = clean_line(parser.name) if not header or header.lower() == handle.lower() else ""
    author = _author(handle, name)
    posts = []
    for tweet in parser.tweets:
        if tweet.quote is not None:
            tweet.links[tweet.quote.url] = None
        text, links = cap_links(
            _clean(tweet.parts), list(islice(tweet.links, MAX_LINKS_PER_POST)), len(tweet.links)
        )
        posts.append(
            Post(
                id=tweet.id,
                url=tweet_url(handle, tweet.id),
                created_at="",
                text=text,
                links=links,
                media=tuple(tweet.media[:MAX_MEDIA_PER_POST]),
                quote=tweet.quote,
            )
        )
    created = _unix_time(parser.time)
    root = posts[0].id
    thread = Thread(
        id=f"threadreader:{root}",
        source="threadreader",
        url=f"{base_url.rstrip('/')}/thread/{root}.html",
        author=author,
        created_at=created,
        posts=tuple(posts),
        fetched_at=utc_now(),
    )
    listed = [
        s for s in _listed(parser.cards, author, base_url, thread.fetched_at) if s.id != thread.id
    ]
    return SavedPage(thread, tuple(listed))


@dataclass(frozen=True)
class UserPage:
    """An author's page on Thread Reader App (``/user/<handle>``): who, and their threads."""

    author: Author
    threads: tuple[ThreadSummary, ...]


def parse_user_page(
    html: str, handle: str, base_url: str = "https://threadreaderapp.com"
) -> UserPage:
    """An author's page: their name, and the threads its cards list (the first tweets, the
    date and the length of each), newest first. Cards of other authors are left out."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()

    def card_handle(card: _Card) -> str:
        return card.handle.strip().lstrip("@")

    own = [card for card in parser.cards if card_handle(card).lower() in ("", handle.lower())]
    spelt = next((card_handle(c) for c in own if HANDLE_RE.match(card_handle(c))), handle)
    name = clean_line(parser.name) or next(
        (clean_line(card.name) for card in own if card.name.strip()), ""
    )
    author = _author(spelt, name)
    threads = sorted(
        _listed(own, author, base_url, utc_now()), key=lambda t: t.created_at, reverse=True
    )
    return UserPage(author, tuple(threads))


# Text a browser copied -------------------------------------------------------------------


def _partial_date(text: str) -> str:
    """``"14 Dec"`` as ``"--12-14"`` (ISO 8601 without a year); ``"14 Dec 2021"`` in full."""
    match = SHORT_DATE_RE.match(text.strip())
    if not match or match.group(2) not in MONTHS:
        return ""
    day, month, year = int(match.group(1)), MONTHS[match.group(2)], match.group(3)
    try:
        datetime(int(year or 2000), month, day)  # 2000: a leap year, so 29 Feb stands
    except ValueError:
        return ""
    if year:
        return f"{year}-{month:02d}-{day:02d}T00:00:00Z"
    return f"--{month:02d}-{day:02d}"


def _stable_id(*parts: str) -> str:
    import hashlib  # only for copied pages: not on every start

    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:20]


def parse_copied_text(text: str) -> SavedPage:
    """A thread page as a browser copies it to text: posts one per paragraph before the
    ``• • •`` line, the author from "Keep Current with …" and "More from @…", and the
    "More from" entries (date, preview, "Read N tweets").
    """
    lines = [line.rstrip() for line in clean_text(text).split("\n")]
    try:
        separator = next(i for i, line in enumerate(lines) if line.strip() == SEPARATOR)
    except StopIteration:
        raise ReaderError(
            "this text is not a copied Thread Reader App page (no '• • •' line after the thread)"
        ) from None
    paragraphs = [line.strip() for line in lines[:separator] if line.strip()]
    name = handle = ""
    more_at = -1
    for index, line in enumerate(lines[separator:], start=separator):
        stripped = line.strip()
        if stripped.startswith("Keep Current with "):
            name = stripped.removeprefix("Keep Current with ").strip()
        elif stripped.startswith("More from @") and more_at < 0:
            handle = stripped.removeprefix("More from @").strip()
            more_at = index
    if not paragraphs:
        raise ReaderError("the copied page has no thread text before its '• • •' line")
    if not HANDLE_RE.match(handle):
        raise ReaderError("the copied page does not say whose thread it is ('More from @…')")
    author = _author(handle, name)
    posts = tuple(
        Post(
            id=f"text-{_stable_id(handle, str(number), paragraph)}",
            url="",
            created_at="",
            text=paragraph,
        )
        for number, paragraph in enumerate(paragraphs)
    )
    thread = Thread(
        id=f"threadreader:text-{_stable_id(handle, paragraphs[0])}",
        source="threadreader",
        url="",
        author=author,
        created_at="",
        posts=posts,
        fetched_at=utc_now(),
    )
    summaries: list[ThreadSummary] = []
    if more_at >= 0:
        date = ""
        preview: list[str] = []
        for line in lines[more_at + 1 :]:
            stripped = line.strip()
            if stripped == FURNITURE_END:
                break
            if not stripped:
                continue
            count = READ_N_RE.match(stripped)
            if count and date and preview:
                summaries.append(
                    _listed_thread(
                        f"text-{_stable_id(handle, preview[0])}",
                        "",
                        "\n".join(preview),
                        author,
                        date,
                        thread.fetched_at,
                        int(count.group(1)),
                    )
                )
                date, preview = "", []
            elif _partial_date(stripped):
                date, preview = _partial_date(stripped), []
            elif date:
                preview.append(stripped)
    return SavedPage(thread, tuple(summaries))


def parse_saved(content: str, base_url: str = "https://threadreaderapp.com") -> SavedPage:
    """A saved page, as HTML or as copied text."""
    head = content.lstrip()[:1000].lower()
    if head.startswith(("<!doctype", "<html")) or "<div" in head or "<head" in head:
        return parse_page_and_list(content, base_url)
    return parse_copied_text(content)


# The source -------------------------------------------------------------------------------

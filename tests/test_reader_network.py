"""The reader and the network: unroll, refresh, follow, sync, offline."""

import re
from dataclasses import replace
from pathlib import Path

from textual.widgets import Input

from tests.fake_bluesky import FakeAppView
from tests.reader_data import fill
from tests.reading import WIDE, main_screen, settled, thread_lines
from tests.screen import screen_text
from tests.server import FakeServer
from tui_reader.library import Library, ThreadList
from tui_reader.sources.bluesky_records import web_url
from tui_reader.ui.app import make_app
from tui_reader.ui.screens.dialogs import RefDialog
from tui_reader.ui.widgets.authors import AuthorList
from tui_reader.ui.widgets.read_more import ReadMore
from tui_reader.ui.widgets.thread_view import ThreadHeader, ThreadView


async def test_a_linked_thread_not_yet_fetched_is_unrolled_on_the_spot(
    library: Library, appview: FakeAppView
) -> None:
    carol = appview.account("carol.bsky.social", "Carol")
    uris = appview.chain(carol, 3)
    threads = fill(library, link=web_url(uris[1]))
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        more = app.screen.query_one(ReadMore)
        more.focus()
        more.highlighted = more.get_option_index(f"url:{web_url(uris[1])}")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None
        assert view.thread.author.display_name == "Carol"
        assert view.thread.post_count == 3
        assert "Carol" in screen_text(app)


async def test_u_unrolls_a_url_typed_in_the_dialog(library: Library, appview: FakeAppView) -> None:
    dave = appview.account("dave.bsky.social", "Dave")
    uris = appview.chain(dave, 4)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        assert "The library is empty. Press u to unroll a post URL" in screen_text(app)
        await pilot.press("u")
        assert isinstance(app.screen, RefDialog)
        app.screen.query_one(Input).value = web_url(uris[2])
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.post_count == 4
        assert "Dave" in screen_text(app)


async def test_a_failed_unroll_is_a_notification_not_a_crash(
    library: Library, appview: FakeAppView
) -> None:
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("u")
        app.screen.query_one(Input).value = "https://bsky.app/profile/ghost.bsky.social/post/3kz"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        messages = [n.message for n in app.notices]
        assert any("no Bluesky account has the handle ghost.bsky.social" in m for m in messages)


async def test_refresh_fetches_the_thread_again(library: Library, appview: FakeAppView) -> None:
    erin = appview.account("erin.bsky.social", "Erin")
    uris = appview.chain(erin, 2)
    await library.unroll(web_url(uris[0]))
    appview.post(erin, "Added later.", reply_to=uris[1])
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(f"bluesky:{uris[0]}")
        await pilot.pause()
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.post_count == 3
        assert "Added later." in thread_lines(view)
        # What it found is said, and the new post is marked as new since it was opened.
        assert app.notices[-1].message == "Refreshed: 3 posts; 1 new post."
        assert "1 new since you read" in thread_lines(view)


async def test_offline_reads_the_library_and_says_so_for_the_network(
    library: Library, tmp_path: Path
) -> None:
    threads = fill(library)
    offline = Library(library.config.with_offline(True), library.store)
    app = make_app(offline.config, offline)
    async with app.run_test(size=WIDE) as pilot:
        assert app.sub_title == "offline"
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        assert "offline" in str(app.screen.query_one(ThreadHeader).render())
        await pilot.press("r")
        await pilot.pause()
        assert any("Offline" in n.message for n in app.notices)
        await pilot.press("u")
        app.screen.query_one(Input).value = "https://bsky.app/profile/did:plc:zed/post/3kz"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("offline, and the library does not have" in n.message for n in app.notices)


async def test_read_ref_opens_straight_on_the_thread(
    library: Library, appview: FakeAppView
) -> None:
    fay = appview.account("fay.bsky.social", "Fay")
    uris = appview.chain(fay, 5)
    app = make_app(library.config, library, open_ref=web_url(uris[3]))
    async with app.run_test(size=WIDE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.post_count == 5
        assert app.screen.focused is view


async def test_read_ref_opens_a_thread_the_library_has_without_the_network(
    library: Library,
) -> None:
    threads = fill(library)
    offline = Library(library.config.with_offline(True), library.store)
    app = make_app(offline.config, offline, open_ref=threads["long"].posts[10].url)
    async with app.run_test(size=WIDE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == threads["long"].id
        assert app.screen.focused is view


async def test_f_follows_and_capital_r_syncs_with_a_notification(
    library: Library, appview: FakeAppView
) -> None:
    gus = appview.account("gus.bsky.social", "Gus")
    appview.chain(gus, 3)
    appview.chain(gus, 2)
    appview.post(gus, "a single post")
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, RefDialog)
        app.screen.query_one(Input).value = "gus.bsky.social"
        await pilot.press("enter")
        await settled(app)
        # Following brings the author's threads in at once.
        messages = [n.message for n in app.notices]
        assert "Following Gus; bringing in their threads." in messages
        assert "2 new threads from 1 author." in messages
        appview.chain(gus, 2)

        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()

        messages = [n.message for n in app.notices]
        assert "1 new thread from 1 author." in messages
        text = screen_text(app)
        assert "Gus  bsky  3 · 3 unread · 3 new" in text
        assert "synced just now" in text
        assert "new  " in text  # the badge on the feed entries
        assert app.sub_title == ""


async def test_a_sync_names_every_failing_author_with_their_own_reason(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    from tests.fake_threadreader import FakeThreadReader

    site = FakeThreadReader(server)
    gus = appview.account("gus.bsky.social", "Gus")
    appview.chain(gus, 3)
    for handle in ("gone_away", "new_markup"):
        site.author(handle, handle.title())
        site.thread(handle, 2, hours=1)
    await library.follow("gus.bsky.social")
    await library.follow("https://x.com/gone_away")
    await library.follow("https://x.com/new_markup")
    del site.names["gone_away"]
    site.without_cards.add("new_markup")
    app = make_app(library.config, library)
    progress: list[str] = []
    async with app.run_test(size=WIDE) as pilot:

        def seen(text: str) -> None:
            progress.append(text)

        app.watch(app, "sub_title", seen)
        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [failure] = [n for n in app.notices if n.title.startswith("Sync failed")]

    assert failure.title == "Sync failed for 2 of 3"
    assert sorted(failure.message.splitlines()) == [
        f"@gone_away: Thread Reader App has no page for @gone_away ({server.url}/user/gone_away)",
        f"@new_markup: Thread Reader App's page {server.url}/user/new_markup lists no threads",
    ]
    # The header said how far the sync was, and whose turn it was.
    assert any(re.fullmatch(r"syncing [123]/3 · @[a-z_.]+", text) for text in progress)


async def test_a_sync_that_failed_for_everyone_does_not_say_nothing_is_new(
    library: Library, server: FakeServer
) -> None:
    from tests.fake_threadreader import FakeThreadReader

    site = FakeThreadReader(server)
    site.author("gone_away", "Gone")
    site.thread("gone_away", 2, hours=1)
    await library.follow("https://x.com/gone_away")
    del site.names["gone_away"]
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = [n.message for n in app.notices]
    assert "Nothing new." not in said
    assert any("no page for @gone_away" in message for message in said)


async def test_sync_on_start_runs_in_the_background(library: Library, appview: FakeAppView) -> None:
    from tui_reader.config import SyncConfig

    ivy = appview.account("ivy.bsky.social", "Ivy")
    appview.chain(ivy, 2)
    await library.follow("ivy.bsky.social")
    config = replace(library.config, sync=SyncConfig(on_start=True))
    app = make_app(config, Library(config, library.store))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "1 new thread from 1 author." in [n.message for n in app.notices]
        assert len(library.threads()) == 1


async def test_an_unreachable_network_is_shown_in_the_header(
    library: Library, appview: FakeAppView, server: FakeServer
) -> None:
    threads = fill(library)
    server.stop()
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).open_thread(threads["tea"].id)
        await pilot.pause()
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.sub_title == "network unreachable: reading from the library"
        assert any("cannot reach 127.0.0.1" in n.message for n in app.notices)
        view = app.screen.query_one(ThreadView)
        assert view.thread is not None and view.thread.id == threads["tea"].id


async def test_a_sync_error_in_the_authors_pane_is_one_line(
    library: Library, appview: FakeAppView
) -> None:
    gus = appview.account("gus.bsky.social", "Gus")
    appview.chain(gus, 2)
    author, _ = await library.follow("gus.bsky.social")
    from tui_reader.store import SyncState

    reason = "cannot reach public.api.bsky.app: connection refused (is the server running?) " * 3
    library.store.set_sync_state(author.key, SyncState("2024-06-01T00:00:00Z", reason, "", ""))
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        [index] = [n for n, line in enumerate(lines) if "⚠ cannot reach" in line]
        assert "…" in lines[index]  # cut to the pane, not wrapped
        assert "Gus" in lines[index - 1]
        assert "running?" not in lines[index + 1]  # the next line is the next entry


async def test_following_brings_the_threads_and_s_syncs_one_author(
    library: Library, appview: FakeAppView
) -> None:
    eve = appview.account("eve.bsky.social", "Eve")
    appview.chain(eve, 3)
    app = make_app(library.config, library)
    async with app.run_test(size=WIDE) as pilot:
        main_screen(app).follow("eve.bsky.social")
        await settled(app)
        # Followed, and her thread is here without R.
        assert len(library.list_threads(ThreadList(f"bluesky:{eve.did}"))) == 1
        appview.chain(eve, 2)
        authors = app.screen.query_one(AuthorList)
        authors.focus()
        authors.place_cursor(authors.index_of(f"bluesky:{eve.did}"))
        await pilot.press("S")
        await settled(app)
        assert len(library.list_threads(ThreadList(f"bluesky:{eve.did}"))) == 2

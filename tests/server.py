"""A real HTTP server on 127.0.0.1 for tests: replays recordings, runs fakes, injects faults."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

#: The recorded responses the tests replay, kept in the repository (see its README).
FIXTURES = Path(__file__).resolve().parent / "data" / "recordings"


@dataclass
class Reply:
    """What the server answers: a status, headers and a body, or a fault."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: "drop" closes the connection without answering; "drip" sends the body one byte every
    #: ``delay`` seconds; otherwise ``delay`` seconds pass before the answer.
    fault: str = ""
    delay: float = 0.0
    #: Send ``content-encoding`` as given (a body the test compressed itself).
    encoded: bool = False

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        """A JSON reply."""
        merged = {"content-type": "application/json; charset=utf-8", **(headers or {})}
        return cls(status, json.dumps(data).encode(), merged)


@dataclass(frozen=True)
class Request:
    """A request the server received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


Handler = Callable[[Request], Reply]


class FakeServer:
    """A threaded HTTP server on an ephemeral port of 127.0.0.1."""

    def __init__(self) -> None:
        self.routes: dict[str, list[tuple[dict[str, str], Handler]]] = {}
        self.prefix_routes: list[tuple[str, Handler]] = []
        self.faults: dict[str, list[Reply]] = {}
        self.log: list[Request] = []
        self.bytes_sent = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # A client that hangs up early (a timeout test) is expected, not worth a traceback.
        self._httpd.handle_error = lambda *_args: None  # type: ignore[method-assign]
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The server's base URL."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def route(self, path: str, handler: Handler, query: dict[str, str] | None = None) -> None:
        """Answer requests for ``path`` (whose query includes ``query``) with ``handler``."""
        self.routes.setdefault(path, []).insert(0, (query or {}, handler))

    def route_prefix(self, prefix: str, handler: Handler) -> None:
        """Answer every path under ``prefix`` that has no exact route with ``handler``."""
        self.prefix_routes.insert(0, (prefix, handler))

    def json(self, path: str, data: Any, status: int = 200, **query: str) -> None:
        """Answer ``path`` with fixed JSON."""
        self.route(path, lambda _request: Reply.json(data, status), query)

    def fail(self, path: str, *replies: Reply) -> None:
        """Answer the next requests for ``path`` with these replies, before the usual one."""
        with self._lock:
            self.faults.setdefault(path, []).extend(replies)

    def replay(self, recording: str | Path) -> None:
        """Serve every interaction of a recording in ``tests/data/recordings``."""
        path = FIXTURES / recording if not Path(recording).is_absolute() else Path(recording)
        data = json.loads(path.read_text("utf-8"))
        for interaction in data["interactions"]:
            parts = urlsplit(interaction["request"]["url"])
            response = interaction["response"]
            reply = Reply.json(response["json"], response["status"], response.get("headers"))
            self.route(parts.path, lambda _request, r=reply: r, dict(parse_qsl(parts.query)))

    def requests_to(self, path: str) -> list[Request]:
        """The requests received for ``path``."""
        return [request for request in self.log if request.path == path]

    def _answer(self, request: Request) -> Reply:
        with self._lock:
            self.log.append(request)
            queued = self.faults.get(request.path)
            if queued:
                return queued.pop(0)
        for query, handler in self.routes.get(request.path, []):
            if all(request.query.get(key) == value for key, value in query.items()):
                return handler(request)
        for prefix, handler in self.prefix_routes:
            if request.path.startswith(prefix):
                return handler(request)
        return Reply.json({"error": "NotFound", "message": "no such route in the test server"}, 404)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                parts = urlsplit(self.path)
                request = Request(
                    "GET",
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    {key.lower(): value for key, value in self.headers.items()},
                )
                reply = server._answer(request)
                if reply.delay and reply.fault != "drip":
                    time.sleep(reply.delay)
                if reply.fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.send_response(reply.status)
                skipped = (
                    ("content-length",) if reply.encoded else ("content-length", "content-encoding")
                )
                for key, value in reply.headers.items():
                    if key.lower() not in skipped:
                        self.send_header(key, value)
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                if reply.fault == "drip":
                    try:
                        for index in range(len(reply.body)):
                            self.wfile.write(reply.body[index : index + 1])
                            self.wfile.flush()
                            time.sleep(reply.delay)
                    except OSError:
                        return  # the client gave up, as it should
                else:
                    self.wfile.write(reply.body)
                with server._lock:
                    server.bytes_sent += len(reply.body)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler

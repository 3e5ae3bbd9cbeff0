"""The errors tui-reader shows to people: each carries a message fit to print as is."""

from __future__ import annotations

from tui_reader.clean import clean_line


class ReaderError(Exception):
    """Base of every error that should reach the user as one line, not a traceback."""

    def __init__(self, message: str) -> None:
        # Messages quote servers and REFs: whatever they hold, nothing in them may act.
        message = clean_line(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(ReaderError):
    """The configuration file cannot be read or holds a bad value."""


class UsageError(ReaderError):
    """The user asked for something that does not make sense (exit status 2)."""


class BadReference(ReaderError):
    """A REF that names no post, author or thread tui-reader knows how to read."""


class FetchError(ReaderError):
    """A network request failed; subclasses say how."""

    def __init__(
        self, message: str, *, status: int | None = None, code: str = "", detail: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        #: A source's own error name, such as Bluesky's ``"NotFound"``.
        self.code = code
        #: What the server said, cleaned, for a source to quote in a message of its own.
        self.detail = clean_line(detail)


class NotFound(FetchError):
    """The thing asked for does not exist (or no longer does)."""


class RateLimited(FetchError):
    """The server asked us to slow down for longer than we are willing to wait."""


class Unauthorized(FetchError):
    """The server refuses anonymous access."""


class SourceUnavailable(FetchError):
    """The server could not be reached or kept failing."""


class Offline(FetchError):
    """Network access is switched off, and the answer is not in the library."""


class BadResponse(FetchError):
    """The server answered with something we cannot use."""


class TooLarge(BadResponse):
    """The answer's body is past the cap set for it."""

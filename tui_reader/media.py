"""Images kept with the library: what is an image worth keeping (decided by its bytes, never by
what the server says it is), and where its file goes (named by its SHA-256, never by the
server). The facts about each image live in SQLite (the store); the files in ``media/``
beside the library."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from tui_reader.errors import ReaderError

#: The raster formats kept, by Pillow's name, with their MIME type and file extension.
KEPT_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
#: The most pixels an image may claim (a 6,000 × 4,000 photo is 24 million): checked from its
#: header, before anything is decoded, so a small file claiming 100,000 × 100,000 is refused.
MAX_PIXELS = 40_000_000
#: The most frames an animation may have (its first is what is shown).
MAX_FRAMES = 1_000


class MediaRefused(ReaderError):
    """The bytes are not an image tui-reader keeps; the message says why, in one line."""


@dataclass(frozen=True)
class ImageFacts:
    """What the bytes of a kept image are."""

    sha256: str
    type: str
    width: int
    height: int
    extension: str
    size: int

    @property
    def file(self) -> str:
        """Where it is kept, relative to the media folder (``ab/abcdef….png``)."""
        return f"{self.sha256[:2]}/{self.sha256}{self.extension}"


def check_image(data: bytes | bytearray) -> ImageFacts:
    """The facts of ``data`` if it is a raster image worth keeping (JPEG, PNG, GIF or WebP,
    whole, of a sane size); ``MediaRefused`` saying why not."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise MediaRefused("empty answer")
    try:
        with warnings.catch_warnings():
            # Pillow only warns of a decompression bomb below twice its limit: refuse it.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(bytes(data))) as image:
                kind = image.format or ""
                if kind not in KEPT_FORMATS:
                    raise MediaRefused(f"not a JPEG, PNG, GIF or WebP image ({kind or 'unknown'})")
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    raise MediaRefused(f"an image of {width:,} × {height:,} pixels is too large")
                frames = getattr(image, "n_frames", 1)
                if frames > MAX_FRAMES:
                    raise MediaRefused(f"an animation of {frames:,} frames")
                # Every chunk read and checked (a cut-off or corrupt file fails here), with
                # no pixel buffer made for the whole image.
                image.verify()
    except MediaRefused:
        raise
    except UnidentifiedImageError:
        raise MediaRefused("not an image (its bytes are no format kept)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaRefused("an image too large to decode safely") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise MediaRefused(f"a damaged or cut-off image ({type(error).__name__})") from None
    mime, extension = KEPT_FORMATS[kind]
    digest = hashlib.sha256(data).hexdigest()
    return ImageFacts(digest, mime, width, height, extension, len(data))


def media_folder(library_folder: Path) -> Path:
    """Where the library's images are kept."""
    return library_folder / "media"


def keep_file(folder: Path, facts: ImageFacts, data: bytes | bytearray) -> Path:
    """Write the image into ``folder`` under its hash (once: the same image in two threads is
    one file), atomically."""
    path = folder / facts.file
    if path.is_file() and path.stat().st_size == facts.size:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tui-reader-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path

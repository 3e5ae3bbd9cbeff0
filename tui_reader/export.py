"""Saving a thread as a file: Markdown, HTML, JSON or PDF, written atomically."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tui_reader.errors import ReaderError
from tui_reader.formats import FILE_FORMATS, format_named
from tui_reader.models import Thread
from tui_reader.render import to_markdown


@dataclass(frozen=True)
class Exported:
    """Where a thread was written, and anything the reader should know about the file."""

    path: Path
    warnings: tuple[str, ...] = ()
    #: A file of that name was there before, and is now replaced.
    replaced: bool = False


#: File names are limited in bytes (255 on most file systems), not in letters.
MAX_STEM_BYTES = 120


#: The most characters of a title a file name keeps.
MAX_STEM_CHARS = 60


def safe_filename(title: str, extension: str) -> str:
    """A file name made from a thread's title: letters, digits and dashes only, short enough
    in bytes for any file system whatever script the title is in."""
    stem = re.sub(r"[^\w]+", "-", title, flags=re.UNICODE).strip("-_").lower()
    if len(stem) > MAX_STEM_CHARS:
        # Cut at a word (a dash) when one is in reach, not in the middle of one.
        cut = stem[: MAX_STEM_CHARS + 1]
        at = cut.rfind("-")
        stem = cut[:at] if at >= MAX_STEM_CHARS // 2 else stem[:MAX_STEM_CHARS]
    while len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        stem = stem[:-1]
    stem = stem.strip("-_")
    return f"{stem or 'thread'}{extension}"


def _umask() -> int:
    """The process's umask, read without changing it (a worker thread may be writing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def target_path(thread: Thread, fmt: str, output: Path) -> Path:
    """The file to write: ``output`` itself, or a name from the title inside a folder."""
    if output.is_dir():
        name = safe_filename(thread.title, format_named(fmt).extension)
        path = (output / name).resolve()
        if path.parent != output.resolve():
            raise ReaderError(f"refusing to write outside {output}")
        return path
    return output


def unused_name(path: Path) -> Path:
    """``path``, or the first of ``name-2.ext``, ``name-3.ext`` … that no file has."""
    if not path.exists() and not path.is_symlink():
        return path
    for number in range(2, 10_000):
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise ReaderError(f"cannot find a free file name beside {path}")


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target and rename, so a failure never leaves half a file.

    A symbolic link is written through (the file it points to is replaced, the link stays),
    and the file gets the mode any other tool would give it (the umask's, or the mode of the
    file it replaces), not the private mode of a temporary file.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.exists() and not path.is_file() and not path.is_dir():
        # A FIFO, a device, a terminal (/dev/stdout): written into, as a shell's > would,
        # never replaced by a regular file.
        try:
            with open(path, "wb") as out:
                out.write(data)
        except OSError as error:
            raise ReaderError(f"cannot write {path}: {error.strerror or error}") from None
        return
    folder = path.parent
    if not folder.is_dir():
        raise ReaderError(f"cannot write {path}: the folder {folder} does not exist")
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".tui-reader-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temp, mode)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ReaderError(f"cannot write {path}: {error.strerror or error}") from None


def export_thread(thread: Thread, fmt: str, output: Path) -> Exported:
    """Write ``thread`` as ``fmt`` to ``output`` (a file, or a folder to name it in)."""
    if fmt not in FILE_FORMATS:
        choices = ", ".join(FILE_FORMATS)
        raise ReaderError(f"cannot export as {fmt!r}: choose one of {choices}")
    path = target_path(thread, fmt, output)
    kept = _kept_files(thread)
    warnings: tuple[str, ...] = ()
    if fmt == "markdown" and kept and (path.is_file() or not path.exists()):
        # The images beside the article, in NAME_files/, linked relatively: the folder
        # and the file travel together, and read offline.
        folder = path.with_name(f"{path.stem}_files")
        links = {local: f"{folder.name}/{Path(local).name}" for local in kept}
        data = to_markdown(thread, links).encode("utf-8")
        _copy_images(kept, folder)
    else:
        data, warnings = format_named(fmt).write(thread)
    existed = path.is_file()  # a FIFO or a device written into is not "replaced"
    write_atomic(path, data)
    return Exported(path, warnings, replaced=existed)


def _kept_files(thread: Thread) -> list[str]:
    """The local files of the thread's kept images that are there."""
    found = dict.fromkeys(
        media.local for media in thread.all_media() if media.local and Path(media.local).is_file()
    )
    return list(found)


def _copy_images(files: list[str], folder: Path) -> None:
    """Copy the images into ``folder`` (made if need be; a file there already is kept)."""
    try:
        folder.mkdir(exist_ok=True)
        for local in files:
            target = folder / Path(local).name
            if not target.is_file():
                shutil.copyfile(local, target)
    except OSError as error:
        raise ReaderError(f"cannot write the images into {folder}: {error.strerror}") from None

"""Storage for uploaded files, behind a small interface so that an object store
can replace the local disk when the app runs on several machines.

Callers only ever hold the opaque key returned by `save()`; they never build
paths. Keys look like ``ab/cd/abcd<28 more hex>.pdf``: 128 random bits from
`secrets`, so a key cannot be guessed, and the first four hex digits give a
two-level fan-out so no directory grows too large.

An S3-compatible back-end (AWS S3, MinIO, Cloudflare R2, Viettel/FPT object
storage) would implement the same five methods with the same keys used as
object names inside one private bucket: `save` generates the key exactly as
here and does a single PUT (atomic by nature, so no temporary file is needed;
send Content-MD5 or a SHA-256 checksum so a corrupted upload is rejected);
`read` is a GET, `open` returns the streaming GET body; `delete` is a DELETE
(idempotent, as here); `exists` and `size` are a HEAD request (404 -> False /
FileNotFoundError, ContentLength -> size); `keys` lists the bucket
(ListObjectsV2, paged) and `put` is a PUT to the given key, both for backups. It must check keys with the same
`KEY_RE` so a stored key is never turned into a different object name. The
bucket stays private; files are served through the app (which checks
permissions) or through short-lived pre-signed GET URLs. Install it by putting
the instance into ``app.extensions["storage"]`` before the first request;
`get_storage()` then returns it instead of creating a `LocalStorage`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

# The key format is the only thing accepted back: no "..", no absolute paths,
# no backslashes, and the fan-out directories must match the random name.
KEY_RE = re.compile(r"(?P<a>[0-9a-f]{2})/(?P<b>[0-9a-f]{2})/(?P=a)(?P=b)[0-9a-f]{28}(\.[a-z0-9]{1,10})?")
SUFFIX_RE = re.compile(r"(\.[a-z0-9]{1,10})?")


@runtime_checkable
class Storage(Protocol):
    """Where uploaded files live. Keys are opaque strings made by `save`."""

    def save(self, data: bytes, *, suffix: str = "") -> str:
        """Store `data` under a new random key and return the key."""
        ...

    def read(self, key: str) -> bytes:
        """The whole file; FileNotFoundError if it does not exist."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A binary file object to stream from; the caller closes it."""
        ...

    def delete(self, key: str) -> None:
        """Remove the file; deleting a missing file is not an error."""
        ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """Size in bytes; FileNotFoundError if it does not exist."""
        ...

    def keys(self) -> Iterator[str]:
        """Every stored key (for backups)."""
        ...

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under an existing key (restoring a backup only)."""
        ...


def new_key(suffix: str = "") -> str:
    """A fresh random key such as ``ab/cd/abcd….pdf``."""
    suffix = suffix.lower()
    if suffix and not suffix.startswith("."):
        suffix = "." + suffix
    if not SUFFIX_RE.fullmatch(suffix):
        raise ValueError(f"bad suffix {suffix!r}")
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token[2:4]}/{token}{suffix}"


def check_key(key: str) -> str:
    """Return `key` if it is one of ours, else raise ValueError."""
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files on the local disk under `root` (one machine, or a shared mount)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        path = self.root / check_key(key)
        # Defence in depth: the regex already rules out escaping the root.
        if not path.resolve().is_relative_to(self.root):
            raise ValueError(f"not a storage key: {key!r}")
        return path

    def save(self, data: bytes, *, suffix: str = "") -> str:
        key = new_key(suffix)
        self.put(key, data)
        return key

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            name = path.relative_to(self.root).as_posix()
            if path.is_file() and KEY_RE.fullmatch(name):  # not the ".tmp" of a crashed write
                yield name

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file in the same directory, then rename: readers
        # never see half a file, and a crash leaves at most a stray ".tmp".
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); not possible on Windows."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def get_storage() -> Storage:
    """The storage of the current Flask app, created once per app."""
    from flask import current_app  # here, so this module imports without Flask set up

    storage = current_app.extensions.get("storage")
    if storage is None:
        # setdefault: if two threads race here, both end up with the same instance
        storage = current_app.extensions.setdefault("storage", LocalStorage(current_app.config["UPLOAD_FOLDER"]))
    return storage

"""Passphrase encryption in the age format (https://age-encryption.org/v1,
scrypt recipient), streamed in 64 KiB chunks so a backup of any size never sits
in memory. A file written here opens with `age --decrypt` and the same
passphrase, and one written by `age --passphrase` opens here: a backup stays
readable without this application.

The format, in short: a text header holding a random 16-byte file key wrapped
with ChaCha20-Poly1305 under a key derived by scrypt from the passphrase, an
HMAC over the header, then the payload: a 16-byte nonce and ChaCha20-Poly1305
chunks whose nonces count up and mark the last chunk, so a cut or reordered
file is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import re
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"age-encryption.org/v1\n"
CHUNK = 64 * 1024
TAG = 16
# age's own default (about a second and 256 MiB of memory); a file naming more
# than MAX_WORK_FACTOR is refused rather than tying the machine up.
DEFAULT_WORK_FACTOR = 18
MAX_WORK_FACTOR = 22
_SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
_B64 = re.compile(rb"^[A-Za-z0-9+/]*$")


class AgeError(Exception):
    """The file is not an age file this module can open, or it is damaged."""


class WrongPassphrase(AgeError):
    """The passphrase does not open this file."""


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _unb64(text: bytes) -> bytes:
    if not _B64.match(text) or len(text) % 4 == 1:
        raise AgeError("malformed base64 in the header")
    return base64.b64decode(text + b"=" * (-len(text) % 4))


def _hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt or None, info=info).derive(key)


def _scrypt(passphrase: str, salt: bytes, work_factor: int) -> bytes:
    n = 1 << work_factor
    return hashlib.scrypt(
        passphrase.encode(), salt=_SCRYPT_LABEL + salt, n=n, r=8, p=1, dklen=32, maxmem=128 * 8 * n + 2**20
    )


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


class EncryptingWriter(io.RawIOBase):
    """Write plaintext; `close()` writes the last chunk (and does not close `out`)."""

    def __init__(self, out: BinaryIO, passphrase: str, work_factor: int = DEFAULT_WORK_FACTOR):
        if not passphrase:
            raise ValueError("an empty passphrase")
        self._out = out
        file_key, salt = os.urandom(16), os.urandom(16)
        wrapped = ChaCha20Poly1305(_scrypt(passphrase, salt, work_factor)).encrypt(b"\x00" * 12, file_key, None)
        header = (
            MAGIC + b"-> scrypt " + _b64(salt) + b" " + str(work_factor).encode() + b"\n" + _b64(wrapped) + b"\n---"
        )
        mac = hmac.new(_hkdf(file_key, b"", b"header"), header, hashlib.sha256).digest()
        nonce = os.urandom(16)
        out.write(header + b" " + _b64(mac) + b"\n" + nonce)
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._buffer = bytearray()
        self._counter = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        # Keep at least one byte back: only close() knows which chunk is the last.
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, chunk: bytes, last: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._counter, last), chunk, None))
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._out.flush()
        super().close()


def _read_line(source: BinaryIO) -> bytes:
    line = source.readline(4096)
    if not line.endswith(b"\n"):
        raise AgeError("the header is cut short")
    return line[:-1]


class DecryptingReader(io.RawIOBase):
    """Read the plaintext of an age file; the header is checked on opening, each
    chunk as it is read, and a file cut short raises AgeError at its end."""

    def __init__(self, source: BinaryIO, passphrase: str):
        self._source = source
        if source.read(len(MAGIC)) != MAGIC:
            raise AgeError("not an age-encrypted file")
        header = MAGIC
        stanzas = []
        while True:
            line = _read_line(source)
            if line.startswith(b"---"):
                break
            if not line.startswith(b"-> "):
                raise AgeError("malformed header")
            header += line + b"\n"
            body = b""
            while True:
                part = _read_line(source)
                header += part + b"\n"
                body += part
                if len(part) < 64:
                    break
            stanzas.append((line[3:].split(b" "), _unb64(body)))
        mac_text = line[4:] if line.startswith(b"--- ") else b""
        header += b"---"
        scrypt = [s for s in stanzas if s[0][0] == b"scrypt"]
        if not scrypt:
            raise AgeError("this file is encrypted to a key, not a passphrase")
        if len(stanzas) != 1 or len(scrypt[0][0]) != 3:
            raise AgeError("malformed scrypt stanza")
        (_, salt_text, work_text), wrapped = scrypt[0]
        salt = _unb64(salt_text)
        if not re.fullmatch(rb"[1-9][0-9]?", work_text) or len(salt) != 16 or len(wrapped) != 32:
            raise AgeError("malformed scrypt stanza")
        work_factor = int(work_text)
        if work_factor > MAX_WORK_FACTOR:
            raise AgeError(f"the file asks for scrypt work factor {work_factor}, more than {MAX_WORK_FACTOR}")
        try:
            file_key = ChaCha20Poly1305(_scrypt(passphrase, salt, work_factor)).decrypt(b"\x00" * 12, wrapped, None)
        except InvalidTag as error:
            raise WrongPassphrase("the passphrase does not open this file") from error
        expected = hmac.new(_hkdf(file_key, b"", b"header"), header, hashlib.sha256).digest()
        if not hmac.compare_digest(_unb64(mac_text), expected):
            raise AgeError("the header has been altered")
        nonce = source.read(16)
        if len(nonce) != 16:
            raise AgeError("the file is cut short")
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._counter = 0
        self._pending = source.read(CHUNK + TAG)
        self._plain = bytearray()
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        chunk, self._pending = self._pending, self._source.read(CHUNK + TAG)
        last = not self._pending
        if len(chunk) < TAG or (last and self._counter > 0 and len(chunk) == TAG):
            raise AgeError("the file is cut short")
        try:
            self._plain += self._aead.decrypt(_nonce(self._counter, last), chunk, None)
        except InvalidTag as error:
            raise AgeError("the file is cut short or damaged") from error
        self._counter += 1
        self._done = last

    def readinto(self, target) -> int:
        while not self._plain and not self._done:
            self._next_chunk()
        n = min(len(target), len(self._plain))
        target[:n] = self._plain[:n]
        del self._plain[:n]
        return n

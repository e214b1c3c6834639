"""Passphrase encryption in the age format: round trips of every chunk
boundary, a file made by the age tool itself, and refusals of a wrong
passphrase, a cut file and altered bytes."""

from __future__ import annotations

import base64
import io
import os
import pty
import shutil
import time

import pytest

from contest import agefile

PASSPHRASE = "cụm mật khẩu thử nghiệm"

# Made by `age -p` (age 1.1.1, work factor 18) with PASSPHRASE.
MADE_BY_AGE = base64.b64decode(
    "YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IHNjcnlwdCBDY2tHd0drT1oxY2J4cTdNdk1xMWlRIDE4Cit5WVB6R2t0cGhuRFNlVklxM0tOeSs0"
    "RTdXemNyNFRFVm1NZlN0bEQzZWcKLS0tIHlJY2lSSUdvZXZTMVJ5U0g1QmN0TEhRc2cyWmowTHNwaUNBY1NNS05hVlkKXWKLzS+/EAZfP/sb"
    "JbqY2GMBW5oosTT19tlhRDB5YUR0Y5ifI8PpT4JBNY4A+QHZF61261D34yGtvRtLlipzqw9X+4S5hm+RGp7Wa6PAeORX0havprypeH8zhakJ"
    "K/NskEjn15Qz"
)
MADE_BY_AGE_PLAIN = "Sao lưu cuộc thi khởi nghiệp Quảng Ngãi — mở bằng age\n".encode()


def _encrypt(plain: bytes, passphrase: str = PASSPHRASE, pieces: int = 1) -> bytes:
    out = io.BytesIO()
    writer = agefile.EncryptingWriter(out, passphrase, work_factor=4)
    step = max(1, len(plain) // pieces)
    for start in range(0, len(plain), step):
        writer.write(plain[start : start + step])
    writer.close()
    return out.getvalue()


def _decrypt(data: bytes, passphrase: str = PASSPHRASE) -> bytes:
    return io.BufferedReader(agefile.DecryptingReader(io.BytesIO(data), passphrase)).read()


@pytest.mark.parametrize("size", [0, 1, agefile.CHUNK - 1, agefile.CHUNK, agefile.CHUNK + 1, 3 * agefile.CHUNK])
def test_round_trip_across_chunk_boundaries(size):
    plain = os.urandom(size)
    data = _encrypt(plain, pieces=7)
    assert agefile.is_encrypted(data)
    if size >= 64:
        assert plain[:64] not in data
    assert _decrypt(data) == plain


def test_a_file_made_by_the_age_tool_opens():
    assert _decrypt(MADE_BY_AGE) == MADE_BY_AGE_PLAIN


def test_a_wrong_passphrase_is_refused():
    with pytest.raises(agefile.WrongPassphrase):
        _decrypt(_encrypt(b"noi dung"), "mat khau khac")


def test_a_cut_or_altered_file_is_refused():
    data = _encrypt(os.urandom(2 * agefile.CHUNK + 10))
    header_end = data.index(b"\n", data.index(b"---")) + 1 + 16
    first_chunk_end = header_end + agefile.CHUNK + agefile.TAG
    cuts = [
        data[:-1],
        data[:first_chunk_end],
        data[: first_chunk_end + agefile.CHUNK + agefile.TAG],
        data[: header_end - 3],
    ]
    for cut in cuts:
        with pytest.raises(agefile.AgeError):
            _decrypt(cut)
    flipped = bytearray(data)
    flipped[first_chunk_end + 5] ^= 1
    with pytest.raises(agefile.AgeError):
        _decrypt(bytes(flipped))
    swapped = (
        data[:header_end]
        + data[first_chunk_end : first_chunk_end + agefile.CHUNK + agefile.TAG]
        + data[header_end:first_chunk_end]
        + data[first_chunk_end + agefile.CHUNK + agefile.TAG :]
    )
    with pytest.raises(agefile.AgeError):
        _decrypt(swapped)
    salt_changed = data.replace(b"-> scrypt ", b"-> scrypt A", 1)
    with pytest.raises(agefile.AgeError):
        _decrypt(salt_changed)
    with pytest.raises(agefile.AgeError, match="work factor"):
        _decrypt(data.replace(b" 4\n", b" 30\n", 1))
    with pytest.raises(agefile.AgeError):
        _decrypt(b"not an age file at all")


def _age_tool(args: list[str], passphrase: str) -> int:
    """Run the age tool, which reads a passphrase only from a terminal."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execvp("age", ["age", *args])  # noqa: S606 - the age tool, found on PATH
    while True:
        try:
            data = os.read(fd, 1024)
        except OSError:
            break
        if not data:
            break
        if b"assphrase" in data:
            time.sleep(0.05)
            os.write(fd, passphrase.encode() + b"\n")
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.mark.skipif(shutil.which("age") is None, reason="the age tool is not installed (apt-get install age)")
def test_the_age_tool_opens_what_is_written_here(tmp_path):
    plain = os.urandom(agefile.CHUNK + 123)
    (tmp_path / "sao-luu.age").write_bytes(_encrypt(plain))
    assert _age_tool(["--decrypt", "-o", str(tmp_path / "ra"), str(tmp_path / "sao-luu.age")], PASSPHRASE) == 0
    assert (tmp_path / "ra").read_bytes() == plain

"""The media award demo's files are what a team's upload must be: an MP3, an MP4
and their sizes small (the demo loads fast). Chromium plays them
(tests/browser/test_demo_media_files.py)."""

from __future__ import annotations

import struct

import pytest

from contest.demo_media_files import colour_bars_mp4, silent_mp3
from contest.domain.uploads import validate_upload


def test_the_radio_recording_is_an_mp3_of_whole_frames():
    data = silent_mp3(2)
    check = validate_upload("phat-thanh.mp3", data, "work")
    assert check.ok and check.detected == "mp3" and check.content_type == "audio/mpeg"
    assert len(data) % 96 == 0 and all(data[i : i + 2] == b"\xff\xfb" for i in range(0, len(data), 96))
    assert len(data) < 10_000


def test_the_television_recording_is_an_mp4_whose_boxes_hold_its_samples():
    data = colour_bars_mp4()
    check = validate_upload("truyen-hinh.mp4", data, "work")
    assert check.ok and check.detected == "mp4" and check.content_type == "video/mp4"
    boxes, offset = {}, 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        boxes[kind] = (offset, size)
        offset += size
    assert list(boxes) == [b"ftyp", b"moov", b"mdat"] and offset == len(data)
    # The chunk offset points at the first sample, and the sample sizes fill the mdat.
    moov = data[boxes[b"moov"][0] : boxes[b"moov"][0] + boxes[b"moov"][1]]
    (chunk,) = struct.unpack(">I", moov[moov.index(b"stco") + 12 : moov.index(b"stco") + 16])
    count = struct.unpack(">I", moov[moov.index(b"stsz") + 12 : moov.index(b"stsz") + 16])[0]
    start = moov.index(b"stsz") + 16
    sizes = struct.unpack(f">{count}I", moov[start : start + 4 * count])
    assert chunk == boxes[b"mdat"][0] + 8 and sum(sizes) == boxes[b"mdat"][1] - 8 and count == 3
    # Each sample is one NAL unit with its length: an IDR picture, then two P pictures.
    kinds, at = [], chunk
    for size in sizes:
        (length,) = struct.unpack(">I", data[at : at + 4])
        assert length == size - 4
        kinds.append(data[at + 4] & 0x1F)
        at += size
    assert kinds == [5, 1, 1]
    assert len(data) < 32_000


def test_the_picture_size_is_whole_macroblocks():
    with pytest.raises(ValueError):
        colour_bars_mp4(width=100)

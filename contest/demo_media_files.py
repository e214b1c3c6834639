"""Small, genuine media files for the media award's demo works (`contest.demo_media`):
a radio work's recording (an MP3 of silence) and a television work's (an H.264 MP4
showing a still test card). Both pass `contest.domain.uploads.validate_upload` as a
"work" and play in a browser. Written by hand, byte by byte, so the demo needs no
encoder: pure code, no Flask, no database.

The MP3 is MPEG-1 Layer III, 48 kHz mono at 32 kbit/s: every frame is 96 bytes, and
a frame whose side information is all zero decodes to 1152 samples of silence.

The MP4 holds an H.264 Baseline stream: an IDR picture whose macroblocks are I_PCM
(the picture's samples written out as they are, no transform, no prediction), then
P pictures that skip every macroblock (the same picture again), one per second.
"""

from __future__ import annotations

import struct

# -- MP3 -----------------------------------------------------------------------------

# Sync, MPEG-1, Layer III, no CRC | 32 kbit/s, 48 kHz, no padding | mono, original.
_MP3_HEADER = bytes((0xFF, 0xFB, 0x14, 0xC4))
_MP3_FRAME_BYTES = 144 * 32_000 // 48_000  # 96
_MP3_FRAME_SAMPLES = 1152


def silent_mp3(seconds: float = 2.0) -> bytes:
    """An MP3 of `seconds` of silence (about 4 KB a second)."""
    frames = max(1, round(seconds * 48_000 / _MP3_FRAME_SAMPLES))
    frame = _MP3_HEADER + bytes(_MP3_FRAME_BYTES - len(_MP3_HEADER))
    return frame * frames


# -- H.264 ---------------------------------------------------------------------------


class _Bits:
    """An RBSP written bit by bit, with Exp-Golomb codes."""

    def __init__(self) -> None:
        self.bits: list[int] = []

    def u(self, count: int, value: int) -> None:
        self.bits.extend((value >> (count - 1 - i)) & 1 for i in range(count))

    def ue(self, value: int) -> None:
        code = value + 1
        length = code.bit_length()
        self.u(length - 1, 0)
        self.u(length, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align_zero(self) -> None:
        while len(self.bits) % 8:
            self.bits.append(0)

    def raw(self, data: bytes) -> None:
        for byte in data:
            self.u(8, byte)

    def trailing(self) -> bytes:
        """rbsp_trailing_bits, then the bytes."""
        self.bits.append(1)
        self.align_zero()
        out = bytearray()
        for i in range(0, len(self.bits), 8):
            byte = 0
            for bit in self.bits[i : i + 8]:
                byte = (byte << 1) | bit
            out.append(byte)
        return bytes(out)


def _nal(ref_idc: int, unit_type: int, rbsp: bytes) -> bytes:
    """A NAL unit: its header, and the RBSP with emulation prevention bytes."""
    out, zeros = bytearray([(ref_idc << 5) | unit_type]), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


_PROFILE, _COMPATIBILITY, _LEVEL = 66, 0xC0, 20  # Baseline (constrained), level 2.0


def _sps(mbs_wide: int, mbs_high: int) -> bytes:
    b = _Bits()
    b.u(8, _PROFILE)
    b.u(8, _COMPATIBILITY)
    b.u(8, _LEVEL)
    b.ue(0)  # seq_parameter_set_id
    b.ue(0)  # log2_max_frame_num_minus4: frame_num has 4 bits
    b.ue(2)  # pic_order_cnt_type 2: output order is decoding order
    b.ue(1)  # max_num_ref_frames
    b.u(1, 0)  # gaps_in_frame_num_value_allowed_flag
    b.ue(mbs_wide - 1)
    b.ue(mbs_high - 1)
    b.u(1, 1)  # frame_mbs_only_flag
    b.u(1, 1)  # direct_8x8_inference_flag
    b.u(1, 0)  # frame_cropping_flag
    b.u(1, 0)  # vui_parameters_present_flag
    return _nal(3, 7, b.trailing())


def _pps() -> bytes:
    b = _Bits()
    b.ue(0)  # pic_parameter_set_id
    b.ue(0)  # seq_parameter_set_id
    b.u(1, 0)  # entropy_coding_mode_flag: CAVLC
    b.u(1, 0)  # bottom_field_pic_order_in_frame_present_flag
    b.ue(0)  # num_slice_groups_minus1
    b.ue(0)  # num_ref_idx_l0_default_active_minus1
    b.ue(0)  # num_ref_idx_l1_default_active_minus1
    b.u(1, 0)  # weighted_pred_flag
    b.u(2, 0)  # weighted_bipred_idc
    b.se(0)  # pic_init_qp_minus26
    b.se(0)  # pic_init_qs_minus26
    b.se(0)  # chroma_qp_index_offset
    b.u(1, 0)  # deblocking_filter_control_present_flag
    b.u(1, 0)  # constrained_intra_pred_flag
    b.u(1, 0)  # redundant_pic_cnt_present_flag
    return _nal(3, 8, b.trailing())


def _idr(macroblocks: list[bytes]) -> bytes:
    b = _Bits()
    b.ue(0)  # first_mb_in_slice
    b.ue(7)  # slice_type: I (every slice of the picture)
    b.ue(0)  # pic_parameter_set_id
    b.u(4, 0)  # frame_num
    b.ue(0)  # idr_pic_id
    b.u(1, 0)  # no_output_of_prior_pics_flag
    b.u(1, 0)  # long_term_reference_flag
    b.se(0)  # slice_qp_delta
    for samples in macroblocks:
        b.ue(25)  # mb_type I_PCM
        b.align_zero()  # pcm_alignment_zero_bit
        b.raw(samples)
    return _nal(3, 5, b.trailing())


def _skipped(frame_num: int, count: int) -> bytes:
    b = _Bits()
    b.ue(0)  # first_mb_in_slice
    b.ue(5)  # slice_type: P (every slice of the picture)
    b.ue(0)  # pic_parameter_set_id
    b.u(4, frame_num % 16)
    b.u(1, 0)  # num_ref_idx_active_override_flag
    b.u(1, 0)  # ref_pic_list_modification_flag_l0
    b.u(1, 0)  # adaptive_ref_pic_marking_mode_flag
    b.se(0)  # slice_qp_delta
    b.ue(count)  # mb_skip_run: the whole picture
    return _nal(2, 1, b.trailing())


def _macroblocks(width: int, height: int, pixels) -> list[bytes]:
    """Each 16x16 macroblock's samples for I_PCM: 256 Y, 64 Cb, 64 Cr (4:2:0), in raster
    order, from `pixels(x, y) -> (r, g, b)`; BT.601 video range, never 0."""

    def ycc(r: int, g: int, b: int) -> tuple[int, int, int]:
        y = 16 + (65.738 * r + 129.057 * g + 25.064 * b) / 256
        cb = 128 + (-37.945 * r - 74.494 * g + 112.439 * b) / 256
        cr = 128 + (112.439 * r - 94.154 * g - 18.285 * b) / 256
        return tuple(min(254, max(1, round(v))) for v in (y, cb, cr))  # type: ignore[return-value]

    image = [[ycc(*pixels(x, y)) for x in range(width)] for y in range(height)]
    blocks = []
    for my in range(0, height, 16):
        for mx in range(0, width, 16):
            luma = bytes(image[my + y][mx + x][0] for y in range(16) for x in range(16))
            chroma = [
                bytes(
                    round(sum(image[my + 2 * y + dy][mx + 2 * x + dx][plane] for dy in (0, 1) for dx in (0, 1)) / 4)
                    for y in range(8)
                    for x in range(8)
                )
                for plane in (1, 2)
            ]
            blocks.append(luma + chroma[0] + chroma[1])
    return blocks


def _colour_bars(width: int, height: int):
    """Colour bars over a dark band: the picture of a recording the demo does not have."""
    bars = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0), (192, 0, 192), (192, 0, 0), (0, 0, 192)]

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        if y < height * 2 // 3:
            return bars[x * len(bars) // width]
        return (16, 40, 90) if (x // 8 + y // 8) % 2 else (24, 56, 120)

    return pixel


# -- MP4 (ISO base media file format) -----------------------------------------------


def _box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full_box(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *parts)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _moov(width: int, height: int, sps: bytes, pps: bytes, sizes: list[int], data_offset: int, ms: int) -> bytes:
    duration = ms * len(sizes)
    avcc = _box(
        b"avcC",
        bytes((1, _PROFILE, _COMPATIBILITY, _LEVEL, 0xFF, 0xE1)),
        struct.pack(">H", len(sps)),
        sps,
        b"\x01",
        struct.pack(">H", len(pps)),
        pps,
    )
    avc1 = _box(
        b"avc1",
        bytes(6),
        struct.pack(">H", 1),  # data_reference_index
        bytes(16),
        struct.pack(">HHIIIH", width, height, 0x480000, 0x480000, 0, 1),
        bytes(32),  # compressorname
        struct.pack(">Hh", 0x18, -1),
        avcc,
    )
    stbl = _box(
        b"stbl",
        _full_box(b"stsd", 0, 0, struct.pack(">I", 1), avc1),
        _full_box(b"stts", 0, 0, struct.pack(">III", 1, len(sizes), ms)),
        _full_box(b"stss", 0, 0, struct.pack(">II", 1, 1)),
        _full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, len(sizes), 1)),
        _full_box(b"stsz", 0, 0, struct.pack(">II", 0, len(sizes)), b"".join(struct.pack(">I", s) for s in sizes)),
        _full_box(b"stco", 0, 0, struct.pack(">II", 1, data_offset)),
    )
    minf = _box(
        b"minf",
        _full_box(b"vmhd", 0, 1, bytes(8)),
        _box(b"dinf", _full_box(b"dref", 0, 0, struct.pack(">I", 1), _full_box(b"url ", 0, 1))),
        stbl,
    )
    mdia = _box(
        b"mdia",
        _full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, 1000, duration, 0x55C4, 0)),  # language "und"
        _full_box(b"hdlr", 0, 0, bytes(4), b"vide", bytes(12), b"VideoHandler\x00"),
        minf,
    )
    tkhd = _full_box(
        b"tkhd",
        0,
        3,  # enabled, in the movie
        struct.pack(">IIIII", 0, 0, 1, 0, duration),
        bytes(8),
        struct.pack(">hhhH", 0, 0, 0, 0),
        _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )
    mvhd = _full_box(
        b"mvhd",
        0,
        0,
        struct.pack(">IIIIIH", 0, 0, 1000, duration, 0x10000, 0x100),
        bytes(10),
        _MATRIX,
        bytes(24),
        struct.pack(">I", 2),  # next_track_ID
    )
    return _box(b"moov", mvhd, _box(b"trak", tkhd, mdia))


def colour_bars_mp4(seconds: int = 3, width: int = 128, height: int = 96) -> bytes:
    """An MP4 of `seconds` showing colour bars (about 19 KB at 128x96): one picture a
    second, the first written out, the others repeating it. Width and height are
    multiples of 16."""
    if width % 16 or height % 16 or seconds < 1:
        raise ValueError("width and height must be multiples of 16, and seconds at least 1")
    sps, pps = _sps(width // 16, height // 16), _pps()
    count = (width // 16) * (height // 16)
    pictures = [_idr(_macroblocks(width, height, _colour_bars(width, height)))]
    pictures += [_skipped(n, count) for n in range(1, seconds)]
    samples = [struct.pack(">I", len(nal)) + nal for nal in pictures]
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso2avc1mp41")
    sizes = [len(s) for s in samples]
    # moov before mdat (a browser plays it before it has it all); its size does not depend on the offset.
    moov_size = len(_moov(width, height, sps, pps, sizes, 0, 1000))
    offset = len(ftyp) + moov_size + 8
    moov = _moov(width, height, sps, pps, sizes, offset, 1000)
    return ftyp + moov + _box(b"mdat", *samples)

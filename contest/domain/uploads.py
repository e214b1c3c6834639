"""Checks for uploaded files, judged by their content, never by name or by the
content type the browser sent. Pure: no Flask, no database. Problems come back
as machine codes plus parameters; the caller turns them into translated text.

Error codes: "empty"; "too_large" {max_mb, size_mb}; "wrong_type" {expected,
detected}; "pdf_broken"; "pdf_encrypted"; "pdf_active" {found: codes from
ACTIVE_CONTENT}; "pdf_too_complex" {max_objects}; "docx_broken"; "image_broken".
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MB = 1024 * 1024
MAX_BYTES = {"pitch_deck": 20 * MB, "description": 20 * MB, "image": 5 * MB, "scan": 10 * MB, "work": 20 * MB}
MAX_ENTRY_BYTES = 60 * MB
# A press work's file (the media award): its organizer sets the largest, in MB, up to this.
# The request carrying it is read into memory, so this also bounds a worker's memory per upload.
WORK_FILE_MAX_MB = 100
MAX_NAME_CHARS = 120

ACCEPTED = {
    "pitch_deck": ("pdf",),
    "description": ("pdf", "docx"),
    "image": ("png", "jpeg", "webp"),
    "scan": ("pdf", "png", "jpeg"),  # a certificate's scan
    "work": ("pdf", "mp3", "mp4"),  # a press work: the article, or the radio or television recording
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "mp3": "audio/mpeg",
    "mp4": "video/mp4",
}
EXTENSIONS = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "webp": (".webp",),
    "mp3": (".mp3",),
    "mp4": (".mp4", ".m4a"),
}
# A name ending in one of these gets it replaced by the real one ("x.jpg" that is a PNG -> "x.png").
_KNOWN_EXTENSIONS = {
    ".pdf",
    ".docx",
    ".doc",
    ".docm",
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
    ".gif",
    ".heic",
    ".mp3",
    ".mp4",
    ".m4a",
}

# A DOCX is a zip; these bound the work of checking one (zip bombs).
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_UNPACKED = 200 * MB

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls, and encrypted Office files
_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (PNG_SIGNATURE, "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"MZ", "exe"),
    (b"\x7fELF", "elf"),
    (OLE_SIGNATURE, "ole"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
_DROP_CATEGORIES = {"Cc", "Cf", "Cs"}  # controls, format chars (RTL override, zero-width), lone surrogates
_DOTS_RE = re.compile(r"\.{2,}")
_EXT_RE = re.compile(r"[^\s.]{1,16}")


@dataclass(frozen=True)
class UploadCheck:
    ok: bool
    error_code: str | None
    params: dict = field(default_factory=dict)
    detected: str | None = None
    content_type: str | None = None  # from the detected type, never from the client
    safe_name: str = "file"
    size: int = 0
    sha256: str = ""


def sanitize_filename(name: str) -> str:
    """A display/download name that is safe anywhere: no path, no control or
    bidi characters, no "..", at most 120 characters with the extension kept."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch) not in _DROP_CATEGORIES
    )
    # Removing a zero-width character can leave a base letter next to its accent.
    text = " ".join(unicodedata.normalize("NFC", text).split())
    text = _DOTS_RE.sub(".", text).strip(" .")
    return _cap_length(text) or "file"


def _cap_length(name: str) -> str:
    if len(name) <= MAX_NAME_CHARS:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and stem and _EXT_RE.fullmatch(ext):
        stem = stem[: MAX_NAME_CHARS - len(ext) - 1].rstrip(" .")
        return f"{stem}.{ext}" if stem else ext
    return name[:MAX_NAME_CHARS].rstrip(" .")


def _with_extension(name: str, detected: str) -> str:
    """Make the extension match the content, so a download opens in the right program."""
    stem, dot, old = name.rpartition(".")
    old = dot + old.lower()
    if stem and old in EXTENSIONS[detected]:
        return name
    return sanitize_filename((stem if stem and old in _KNOWN_EXTENSIONS else name) + EXTENSIONS[detected][0])


def detect_type(data: bytes) -> str | None:
    """What the bytes really are: pdf, docx, png, jpeg, webp; or, to say so in
    the message, docm, zip, exe, elf, ole (old Office), gif, heic, rar, 7z."""
    head = bytes(data[:16])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heic"
    if head[4:8] == b"ftyp":
        return "mp4"  # MP4, M4A (an ISO media file)
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_flavour(data)
    return next((name for magic, name in _SIGNATURES if head.startswith(magic)), None)


def _open_zip(data: bytes) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # untrusted bytes: any parser error just means "not readable"
        return None


def _zip_flavour(data: bytes) -> str:
    archive = _open_zip(data)
    if archive is None:
        return "zip"
    with archive:
        names = set(archive.namelist())
        if not {"[Content_Types].xml", "word/document.xml"} <= names:
            return "zip"
        try:
            types = (
                archive.read("[Content_Types].xml") if archive.getinfo("[Content_Types].xml").file_size < MB else b""
            )
        except Exception:  # damaged member: the full check reports it
            types = b""
    # Macro-enabled Word files must not reach the judges' computers.
    return "docm" if "word/vbaProject.bin" in names or b"macroEnabled" in types else "docx"


# Active content a PDF viewer may run or hand to the system, in the order the
# message names them. Judges open these files on their own computers.
ACTIVE_CONTENT = ("javascript", "launch", "embedded_file", "additional_actions", "rich_media", "xfa")
_ACTIVE_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",  # an action's script; the document's script tree
    "/OnInstantiate": "javascript",  # a 3D model's script
    "/EmbeddedFiles": "embedded_file",
    "/EF": "embedded_file",
    "/AA": "additional_actions",  # run on open, close, print, page view, focus...
    "/RichMediaContent": "rich_media",
    "/RichMediaSettings": "rich_media",
    "/XFA": "xfa",  # XML forms, scriptable
}
_ACTIVE_VALUES = {
    ("/S", "/JavaScript"): "javascript",
    ("/S", "/Launch"): "launch",
    ("/S", "/GoToE"): "embedded_file",
    ("/Type", "/EmbeddedFile"): "embedded_file",
    ("/Subtype", "/FileAttachment"): "embedded_file",
    ("/Subtype", "/RichMedia"): "rich_media",
}


# Where no action can be: page contents, fonts, images and appearance streams,
# the structure tree (it only points at pages and annotations, walked anyway),
# metadata. Most of a document's objects live there; skipping them keeps the
# walk short.
_INERT_KEYS = frozenset(
    {
        "/Contents",
        "/Resources",
        "/AP",
        "/StructTreeRoot",
        "/Metadata",
        "/Thumb",
        "/Font",
        "/XObject",
        "/ColorSpace",
        "/Pattern",
        "/Shading",
        "/ExtGState",
    }
)
# Objects walked at most: a pitch deck has hundreds; tens of thousands of links or
# fields would take seconds of parsing for one upload.
MAX_PDF_OBJECTS = 20_000


class PdfTooComplex(Exception):
    """More objects to walk than MAX_PDF_OBJECTS."""


def pdf_active_content(reader: PdfReader, *, max_objects: int | None = None) -> list[str]:
    """What active content the document holds (codes from ACTIVE_CONTENT, in
    that order), found by walking the objects reachable from the catalog:
    actions (/OpenAction, links, bookmarks, /AA) sit on the document, its
    pages, annotations and form fields. Names are compared after pypdf has
    decoded them, so "/J#61vaScript" is "/JavaScript". Stream contents are not
    read: none of these can hide there without a dictionary pointing at it.
    Raises PdfTooComplex past `max_objects` (MAX_PDF_OBJECTS) indirect objects."""
    limit = MAX_PDF_OBJECTS if max_objects is None else max_objects
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer.get("/Root")]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            if len(seen) > limit:
                raise PdfTooComplex
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # stream objects too: their dictionary
            for key, value in obj.items():
                if key in _ACTIVE_KEYS:
                    found.add(_ACTIVE_KEYS[key])
                code = _ACTIVE_VALUES.get((key, value)) if isinstance(value, NameObject) else None
                if code:
                    found.add(code)
                if key not in _INERT_KEYS and isinstance(value, (IndirectObject, DictionaryObject, ArrayObject)):
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(item for item in obj if isinstance(item, (IndirectObject, DictionaryObject, ArrayObject)))
    return [code for code in ACTIVE_CONTENT if code in found]


def _check_pdf(data: bytes) -> str | tuple[str, dict] | None:
    # pypdf recovers from much damage, but a cut-off upload has no end marker.
    if b"%%EOF" not in data[-1024:]:
        return "pdf_broken"
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # Accept PDFs that only restrict printing or copying: anyone can open those.
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return "pdf_encrypted"
        if len(reader.pages) == 0:
            return "pdf_broken"
        for page in reader.pages:
            box = page.mediabox
            if not box.width or not box.height:
                return "pdf_broken"
        # A document that cannot be walked to the end cannot be shown free of
        # scripts either: the exception below refuses it as damaged.
        found = pdf_active_content(reader)
    except PdfTooComplex:
        return "pdf_too_complex", {"max_objects": MAX_PDF_OBJECTS}
    except DependencyError:  # AES without a crypto library: we cannot open it either
        return "pdf_encrypted"
    except Exception:  # pypdf raises many kinds of errors on bad input
        return "pdf_broken"
    return ("pdf_active", {"found": found}) if found else None


def _check_docx(data: bytes) -> str | None:
    archive = _open_zip(data)
    if archive is None:
        return "docx_broken"
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_ZIP_UNPACKED:
            return "docx_broken"
        try:
            # Reading is bounded by the declared sizes checked above; CRCs catch damage.
            if archive.testzip() is not None:
                return "docx_broken"
            document = archive.read("word/document.xml")
        except Exception:  # damaged, encrypted or unsupported member
            return "docx_broken"
    return None if document.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "docx_broken"


def _check_png(data: bytes) -> str | None:
    """Walk the chunks: IHDR first with a non-zero size, CRCs right, IDAT, IEND."""
    pos, seen_data = len(PNG_SIGNATURE), False
    while pos + 12 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            return "image_broken"
        body = data[pos + 8 : end - 4]
        if zlib.crc32(ctype + body) != int.from_bytes(data[end - 4 : end], "big"):
            return "image_broken"
        if pos == len(PNG_SIGNATURE) and (ctype != b"IHDR" or length != 13 or 0 in struct.unpack(">II", body[:8])):
            return "image_broken"
        seen_data = seen_data or ctype == b"IDAT"
        if ctype == b"IEND":
            return None if seen_data else "image_broken"
        pos = end
    return "image_broken"


_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_JPEG_NO_LENGTH = {0xFF, 0x01, *range(0xD0, 0xD8)}


def _check_jpeg(data: bytes) -> str | None:
    """Walk the segments from SOI to the first scan; a frame header must come
    first, and an EOI marker must follow the scan (a cut-off file has none)."""
    pos, seen_frame = 2, False
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return "image_broken"
        marker = data[pos + 1]
        if marker in _JPEG_NO_LENGTH:  # fill byte, or a marker without a length
            pos += 1 if marker == 0xFF else 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 2 + length > len(data):
            return "image_broken"
        if marker in _JPEG_SOF:
            if length < 8 or struct.unpack(">H", data[pos + 7 : pos + 9])[0] == 0:
                return "image_broken"
            seen_frame = True
        if marker == 0xDA:
            # 0xFF inside scan data is always stuffed, so FFD9 here is the real EOI.
            # Phones may append data after it (Samsung), so it need not be last.
            ok = seen_frame and b"\xff\xd9" in data[pos + 2 + length :]
            return None if ok else "image_broken"
        pos += 2 + length
    return "image_broken"


def _check_webp(data: bytes) -> str | None:
    """The RIFF header and the first chunk must not promise more than arrived."""
    riff_size, chunk_size = int.from_bytes(data[4:8], "little"), int.from_bytes(data[16:20], "little")
    ok = 12 <= riff_size <= len(data) - 8 and data[12:16] in (b"VP8 ", b"VP8L", b"VP8X")
    return None if ok and 20 + chunk_size <= len(data) else "image_broken"


def _check_mp4(data: bytes) -> str | None:
    """The boxes at the top level must chain to the end (a cut-off upload does not)."""
    offset = 0
    while offset < len(data):
        if offset + 8 > len(data):
            return "media_broken"
        size = int.from_bytes(data[offset : offset + 4], "big")
        if size == 1 and offset + 16 <= len(data):
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        elif size == 0:
            size = len(data) - offset  # the last box runs to the end
        if size < 8 or offset + size > len(data):
            return "media_broken"
        offset += size
    return None


def _check_mp3(data: bytes) -> str | None:
    """An ID3 tag must not promise more than arrived, and MPEG audio frames follow it."""
    start = 0
    if data.startswith(b"ID3"):
        if len(data) < 10 or any(b & 0x80 for b in data[6:10]):
            return "media_broken"
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        start = 10 + size
    frame = data[start : start + 2]
    return None if len(frame) == 2 and frame[0] == 0xFF and frame[1] & 0xE0 == 0xE0 else "media_broken"


# A check returns None, an error code, or an error code with its parameters.
_CHECKS: dict[str, Callable[[bytes], str | tuple[str, dict] | None]] = {
    "pdf": _check_pdf,
    "docx": _check_docx,
    "png": _check_png,
    "jpeg": _check_jpeg,
    "webp": _check_webp,
    "mp4": _check_mp4,
    "mp3": _check_mp3,
}


def validate_upload(filename: str, data: bytes, kind: str, *, max_bytes: int | None = None) -> UploadCheck:
    """Check one upload of `kind` ("pitch_deck", "description", "image", "scan" or "work", a press work's file)."""
    if kind not in ACCEPTED:
        raise ValueError(f"unknown upload kind {kind!r}")
    data = bytes(data)
    limit = MAX_BYTES[kind] if max_bytes is None else max_bytes
    safe_name, size, sha256 = sanitize_filename(filename), len(data), hashlib.sha256(data).hexdigest()

    def fail(code: str, what: str | None = None, /, **params: object) -> UploadCheck:
        return UploadCheck(False, code, params, what, None, safe_name=safe_name, size=size, sha256=sha256)

    if not data:
        return fail("empty")
    if len(data) > limit:
        return fail("too_large", max_mb=_megabytes(limit, math.floor), size_mb=_megabytes(len(data), math.ceil))
    detected = detect_type(data)
    if detected not in ACCEPTED[kind]:
        if detected == "zip" and "docx" in ACCEPTED[kind] and _open_zip(data) is None:
            return fail("docx_broken", detected)  # most likely a DOCX cut off in transit
        return fail("wrong_type", detected, expected=list(ACCEPTED[kind]), detected=detected)
    problem = _CHECKS[detected](data)
    if problem:
        code, params = (problem, {}) if isinstance(problem, str) else problem
        return fail(code, detected, **params)
    return UploadCheck(
        True,
        None,
        {},
        detected,
        CONTENT_TYPES[detected],
        safe_name=_with_extension(safe_name, detected),
        size=size,
        sha256=sha256,
    )


def _megabytes(size: int, rounding: Callable[[float], int]) -> int | float:
    """One decimal, rounded so that 20 MB + 1 byte never shows as "20 MB"."""
    value = rounding(size / MB * 10) / 10
    return int(value) if value == int(value) else value


def megabytes(size: int) -> int | float:
    """`size` in MB for messages: one decimal, rounded up."""
    return _megabytes(size, math.ceil)


def check_entry_total(existing_sizes: list[int], new_size: int, *, limit: int = MAX_ENTRY_BYTES) -> bool:
    """Whether one more file of `new_size` keeps the entry within its total."""
    return sum(existing_sizes) + new_size <= limit

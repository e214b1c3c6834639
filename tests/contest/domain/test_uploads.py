"""Upload checks: by content, not by name; names made safe; limits."""

from __future__ import annotations

import io
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)
from reportlab.pdfgen import canvas
from sqlalchemy import select

from contest.domain import uploads
from contest.domain.uploads import (
    MAX_BYTES,
    MAX_ENTRY_BYTES,
    MB,
    check_entry_total,
    detect_type,
    pdf_active_content,
    sanitize_filename,
    validate_upload,
)
from tests.conftest import at_the_same_moment

# -- sample files, built in code ---------------------------------------------------


def make_pdf(pages: int = 2) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for number in range(pages):
        pdf.drawString(72, 720, f"Dự án khởi nghiệp, trang {number + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def encrypt_pdf(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(extra: dict[str, bytes] | None = None, macro: bool = False) -> bytes:
    main = "ms-word.document.macroEnabled.main+xml" if macro else "officedocument.wordprocessingml.document.main+xml"
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/content-types"><Override PartName="/word/document.xml" '
            f'ContentType="application/vnd.{main}"/>'
            "</Types>"
        ).encode(),
        "word/document.xml": (
            '<?xml version="1.0"?><w:document><w:body><w:p>Xin chào</w:p></w:body></w:document>'
        ).encode(),
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def make_png(width: int = 1, height: int = 1) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")


def make_jpeg() -> bytes:
    """Structure only (SOI, APP0, SOF0, SOS, scan bytes, EOI): enough for the checks."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 1, 1, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + app0 + sof0 + sos + b"\x12\x34\xff\x00\x56" + b"\xff\xd9"


def make_webp() -> bytes:
    chunk = b"VP8L" + struct.pack("<I", 5) + b"\x2f\x00\x00\x00\x00" + b"\x00"  # padded to even
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def make_linked_pdf() -> bytes:
    """What a deck exported from an office program has: web links and bookmarks."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for number in range(3):
        pdf.bookmarkPage(f"p{number}")
        pdf.addOutlineEntry(f"Trang {number + 1}", f"p{number}")
        pdf.drawString(72, 720, "Trang web của đội")
        pdf.linkURL("https://toidenlyson.vn", (72, 710, 300, 730))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _name(value: str) -> NameObject:
    return NameObject(value)


def with_changes(data: bytes, change) -> bytes:
    """`data` rewritten by pypdf after `change(writer)`."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({_name("/Type"): _name("/Action"), _name("/S"): _name(kind)})
    action.update({_name(f"/{key}"): value for key, value in entries.items()})
    return action


def _link(writer, action: DictionaryObject) -> None:
    writer.add_annotation(
        0,
        DictionaryObject(
            {
                _name("/Type"): _name("/Annot"),
                _name("/Subtype"): _name("/Link"),
                _name("/Rect"): ArrayObject([FloatObject(72), FloatObject(72), FloatObject(200), FloatObject(100)]),
                _name("/A"): action,
            }
        ),
    )


def pdf_with_open_javascript(data: bytes) -> bytes:
    def change(writer):
        writer._root_object[_name("/OpenAction")] = _action("/JavaScript", JS=TextStringObject("app.alert('x')"))

    return with_changes(data, change)


def pdf_with_javascript_tree(data: bytes) -> bytes:
    """A document-level script (the catalog's /Names /JavaScript), as Acrobat writes it."""

    def change(writer):
        script = writer._add_object(_action("/JavaScript", JS=TextStringObject("this.print()")))
        names = DictionaryObject({_name("/Names"): ArrayObject([TextStringObject("init"), script])})
        writer._root_object[_name("/Names")] = DictionaryObject({_name("/JavaScript"): writer._add_object(names)})

    return with_changes(data, change)


def pdf_with_launch(data: bytes) -> bytes:
    return with_changes(data, lambda writer: _link(writer, _action("/Launch", F=TextStringObject("cmd.exe"))))


def pdf_with_embedded_file(data: bytes) -> bytes:
    return with_changes(data, lambda writer: writer.add_attachment("bang-tinh.xlsm", b"PK\x03\x04 macros"))


def pdf_with_page_actions(data: bytes) -> bytes:
    def change(writer):
        writer.pages[0][_name("/AA")] = DictionaryObject({_name("/O"): _action("/GoTo", D=ArrayObject())})

    return with_changes(data, change)


def pdf_with_xfa(data: bytes) -> bytes:
    def change(writer):
        form = DecodedStreamObject()
        form.set_data(b"<xdp:xdp/>")
        writer._root_object[_name("/AcroForm")] = DictionaryObject(
            {_name("/Fields"): ArrayObject(), _name("/XFA"): writer._add_object(form)}
        )

    return with_changes(data, change)


def pdf_with_rich_media(data: bytes) -> bytes:
    def change(writer):
        writer.add_annotation(
            0,
            DictionaryObject(
                {
                    _name("/Type"): _name("/Annot"),
                    _name("/Subtype"): _name("/RichMedia"),
                    _name("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(10), FloatObject(10)]),
                    _name("/RichMediaContent"): DictionaryObject(),
                }
            ),
        )

    return with_changes(data, change)


PDF = make_pdf()
EXE = b"MZ\x90\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100


# -- detection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "pdf"),
        (make_docx(), "docx"),
        (make_docx(macro=True), "docm"),
        (make_docx({"word/vbaProject.bin": b"x"}), "docm"),
        (make_png(), "png"),
        (make_jpeg(), "jpeg"),
        (make_webp(), "webp"),
        (EXE, "exe"),
        (ELF, "elf"),
        (b"GIF89a" + b"\x00" * 20, "gif"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20, "heic"),
        (b"hello world", None),
        (b"", None),
    ],
)
def test_detect_type_by_magic_bytes(data, expected):
    assert detect_type(data) == expected


def test_a_zip_that_is_not_word_is_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("slides/1.png", make_png())
    assert detect_type(buffer.getvalue()) == "zip"


# -- accepted files --------------------------------------------------------------------


def test_a_real_pdf_passes():
    check = validate_upload("Bài thuyết trình.pdf", PDF, "pitch_deck", max_bytes=MAX_BYTES["pitch_deck"])
    assert check.ok and check.error_code is None and check.params == {}
    assert check.detected == "pdf" and check.content_type == "application/pdf"
    assert check.safe_name == "Bài thuyết trình.pdf"
    assert check.size == len(PDF) and len(check.sha256) == 64


def test_description_takes_pdf_or_docx():
    docx = validate_upload("mo ta.docx", make_docx(), "description")
    assert docx.ok and docx.detected == "docx" and docx.content_type.endswith("wordprocessingml.document")
    assert validate_upload("mo ta.pdf", PDF, "description").ok


@pytest.mark.parametrize(
    ("data", "detected", "content_type"),
    [
        (make_png(), "png", "image/png"),
        (make_png(3, 2), "png", "image/png"),
        (make_jpeg(), "jpeg", "image/jpeg"),
        (make_webp(), "webp", "image/webp"),
    ],
)
def test_images_pass(data, detected, content_type):
    check = validate_upload("anh", data, "image", max_bytes=MAX_BYTES["image"])
    assert check.ok, check.error_code
    assert (check.detected, check.content_type) == (detected, content_type)


def test_jpeg_with_data_after_the_end_marker_passes():
    assert validate_upload("a.jpg", make_jpeg() + b"SEFT trailer", "image").ok


def test_content_type_comes_from_the_content_and_the_extension_follows_it():
    check = validate_upload("logo.jpg", make_png(), "image")
    assert check.ok and check.content_type == "image/png" and check.safe_name == "logo.png"
    assert validate_upload("deck", PDF, "pitch_deck").safe_name == "deck.pdf"
    assert validate_upload("deck.html", PDF, "pitch_deck").safe_name == "deck.html.pdf"


def test_a_pdf_that_only_restricts_printing_passes():
    assert validate_upload("deck.pdf", encrypt_pdf(PDF, user_password=""), "pitch_deck").ok


def test_an_ordinary_pdf_with_web_links_and_bookmarks_passes():
    linked = make_linked_pdf()
    assert pdf_active_content(PdfReader(io.BytesIO(linked))) == []
    assert validate_upload("deck.pdf", linked, "pitch_deck").ok


# -- active content in PDFs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "found"),
    [
        (pdf_with_open_javascript, ["javascript"]),
        (pdf_with_javascript_tree, ["javascript"]),
        (pdf_with_launch, ["launch"]),
        (pdf_with_embedded_file, ["embedded_file"]),
        (pdf_with_page_actions, ["additional_actions"]),
        (pdf_with_xfa, ["xfa"]),
        (pdf_with_rich_media, ["rich_media"]),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_pdfs_with_active_content_are_refused_naming_what_was_found(build, found):
    data = build(make_linked_pdf())
    check = validate_upload("deck.pdf", data, "pitch_deck", max_bytes=MAX_BYTES["pitch_deck"])
    assert not check.ok and check.error_code == "pdf_active"
    assert check.params == {"found": found} and check.detected == "pdf" and check.content_type is None


def test_every_kind_found_is_named_once_in_a_fixed_order():
    data = pdf_with_launch(pdf_with_embedded_file(pdf_with_open_javascript(PDF)))
    assert validate_upload("deck.pdf", data, "description").params == {
        "found": ["javascript", "launch", "embedded_file"]
    }


def test_names_written_with_hex_escapes_are_still_recognised():
    data = pdf_with_launch(PDF)
    escaped = data.replace(b"/Launch", b"/L#61unch")
    assert escaped != data
    assert validate_upload("deck.pdf", escaped, "pitch_deck").params == {"found": ["launch"]}


def test_scripts_in_a_pdf_that_only_restricts_printing_are_found():
    data = encrypt_pdf(pdf_with_open_javascript(PDF), user_password="")
    assert validate_upload("deck.pdf", data, "pitch_deck").error_code == "pdf_active"


def test_a_pdf_with_too_many_objects_to_check_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PDF_OBJECTS", 5)
    check = validate_upload("deck.pdf", make_linked_pdf(), "pitch_deck")
    assert check.error_code == "pdf_too_complex" and check.params == {"max_objects": 5}


def test_a_pdf_whose_pages_open_but_whose_other_objects_cannot_be_read_is_refused():
    # The catalog points at an object that is not a dictionary any more: the
    # pages are fine, but nothing can say what that object held.
    pdf = make_pdf(1)
    info = re.search(rb"/Info (\d+) 0 R", pdf).group(1)  # ReportLab's document information
    pointer = b"/Names " + info + b" 0 R"
    damaged = pdf.replace(b"/PageMode /UseNone", pointer.ljust(len(b"/PageMode /UseNone"))).replace(
        info + b" 0 obj\n<<", info + b" 0 obj\n<("
    )
    assert len(damaged) == len(pdf) and len(PdfReader(io.BytesIO(damaged)).pages) == 1
    assert validate_upload("deck.pdf", damaged, "pitch_deck").error_code == "pdf_broken"


# -- rejected files ------------------------------------------------------------------


def test_empty_file():
    check = validate_upload("a.pdf", b"", "pitch_deck")
    assert not check.ok and check.error_code == "empty" and check.size == 0


def test_oversized_file():
    data = PDF + b"\x00" * (MAX_BYTES["image"])
    check = validate_upload("big.png", data, "image", max_bytes=MAX_BYTES["image"])
    assert check.error_code == "too_large"
    assert check.params["max_mb"] == 5 and check.params["size_mb"] > 5


def test_just_over_the_limit_never_shows_as_equal():
    check = validate_upload("a.pdf", b"%PDF-" + b"0" * (20 * MB), "pitch_deck", max_bytes=20 * MB)
    assert check.params == {"max_mb": 20, "size_mb": 20.1}


def test_an_exe_named_pdf_is_rejected_for_what_it_is():
    check = validate_upload("deck.pdf", EXE, "pitch_deck", max_bytes=MAX_BYTES["pitch_deck"])
    assert not check.ok and check.error_code == "wrong_type"
    assert check.params == {"expected": ["pdf"], "detected": "exe"}
    assert check.detected == "exe" and check.content_type is None


@pytest.mark.parametrize(
    ("kind", "data", "detected"),
    [
        ("pitch_deck", make_docx(), "docx"),
        ("description", make_png(), "png"),
        ("description", make_docx(macro=True), "docm"),
        ("image", PDF, "pdf"),
        ("image", ELF, "elf"),
        ("image", b"just some text", None),
    ],
)
def test_wrong_types(kind, data, detected):
    check = validate_upload("x", data, kind)
    assert check.error_code == "wrong_type" and check.params["detected"] == detected


def test_a_truncated_pdf_is_broken():
    check = validate_upload("deck.pdf", PDF[: len(PDF) // 2], "pitch_deck")
    assert check.error_code == "pdf_broken" and check.detected == "pdf"


def test_a_pdf_with_an_end_marker_but_garbage_inside_is_broken():
    assert (
        validate_upload("deck.pdf", b"%PDF-1.4\n" + b"garbage " * 50 + b"\n%%EOF\n", "pitch_deck").error_code
        == "pdf_broken"
    )


def test_a_password_protected_pdf_is_refused():
    check = validate_upload("deck.pdf", encrypt_pdf(PDF, user_password="secret"), "pitch_deck")
    assert check.error_code == "pdf_encrypted"


def test_a_damaged_docx():
    good = make_docx()
    assert validate_upload("a.docx", good[: len(good) - 30], "description").error_code == "docx_broken"
    corrupt = bytearray(good)
    start = corrupt.index(b"word/document.xml") + len("word/document.xml")
    corrupt[start + 5] ^= 0xFF  # flip a byte of the compressed document: CRC no longer matches
    assert validate_upload("a.docx", bytes(corrupt), "description").error_code == "docx_broken"
    not_xml = make_docx({"word/document.xml": b"\x00\x01binary"})
    assert validate_upload("a.docx", not_xml, "description").error_code == "docx_broken"


@pytest.mark.parametrize(
    "data",
    [
        make_png()[:-12],  # no IEND
        make_png()[:20],  # cut inside IHDR
        make_png().replace(b"IHDR", b"IHDX"),
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 1, 8, 2, 0, 0, 0))
        + png_chunk(b"IEND", b""),
        make_jpeg()[:-2],  # no EOI
        make_jpeg()[:30],
        b"\xff\xd8\xff\xd9",
        make_webp()[:-4],
    ],
)
def test_damaged_images(data):
    assert validate_upload("a", data, "image").error_code == "image_broken"


def test_a_png_with_a_wrong_checksum_is_broken():
    data = bytearray(make_png())
    data[30] ^= 0x01  # inside IDAT
    assert validate_upload("a.png", bytes(data), "image").error_code == "image_broken"


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        validate_upload("a.pdf", PDF, "video")


def test_entry_total():
    assert check_entry_total([20 * MB, 20 * MB], 20 * MB)
    assert not check_entry_total([20 * MB, 20 * MB], 20 * MB + 1)
    assert check_entry_total([], MAX_ENTRY_BYTES)


# -- file names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\deck.pdf", "deck.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
        ("\u202egpj.exe", "gpj.exe"),
        ("..", "file"),
        ("", "file"),
        (".htaccess", "htaccess"),
        ("  Kế   hoạch\tkinh doanh .docx ", "Kế hoạch kinh doanh .docx"),
        ("a..b...pdf", "a.b.pdf"),
        ("Tie\u0302\u0301ng Vie\u0323\u0302t.pdf", "Tiếng Việt.pdf"),
    ],
)
def test_sanitize_filename(raw, expected):
    assert sanitize_filename(raw) == expected


def test_long_names_keep_their_extension():
    name = sanitize_filename("á" * 300 + ".pdf")
    assert len(name) == 120 and name.endswith(".pdf")
    assert len(sanitize_filename("x" * 300)) == 120


@given(st.text(max_size=300))
def test_sanitized_names_are_always_safe(raw):
    name = sanitize_filename(raw)
    assert name and len(name) <= 120
    assert "/" not in name and "\\" not in name and ".." not in name
    assert not name.startswith(".")
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in name)
    assert name == unicodedata.normalize("NFC", name)


# -- the entry's storage: every stored version counts until purged ----------------------


def pdf_of_size(size: int) -> bytes:
    """A valid PDF of about `size` bytes (within 16): random, incompressible
    padding in an unused stream, so that a few of them fill an entry's quota."""

    def padded(filler: bytes) -> bytes:
        def change(writer):
            padding = DecodedStreamObject()
            padding.set_data(filler)
            writer._root_object[_name("/Metadata")] = writer._add_object(padding)

        return with_changes(PDF, change)

    data = padded(os.urandom(size - len(padded(b""))))
    assert abs(len(data) - size) < 16 and data.rstrip().endswith(b"%%EOF")
    return data


def _entry(db):
    from contest.domain.entries import get_or_create_entry
    from tests.factories import make_competition, make_team

    team = make_team(make_competition())
    return team, get_or_create_entry(team)


def _files_on_disk(app) -> int:
    return sum(len(files) for _root, _dirs, files in os.walk(app.config["UPLOAD_FOLDER"]))


def test_replaced_files_count_toward_the_entry_quota_until_it_refuses(app, db):
    from contest.domain.attachments import add_attachment, storage_use
    from contest.domain.errors import DomainError
    from contest.models import AttachmentKind

    team, entry = _entry(db)
    deck = pdf_of_size(15 * MB - 4096)
    for _ in range(4):  # upload, then replace three times: 4 × 15 MB stored, within 60 MB
        add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", deck, team.leader)
    assert len(entry.current_attachments()) == 1 and len(entry.earlier_attachments()) == 3
    use = storage_use(entry)
    assert use.used == 4 * len(deck) and use.earlier == 3 * len(deck)
    with pytest.raises(DomainError) as refused:
        add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", deck, team.leader)
    assert refused.value.code == "entry_too_large"
    # In Vietnamese: the size, what the entry takes, how much of it is earlier versions, and when they go.
    assert refused.value.message == (
        "Tệp này (15 MB) không vừa: các tệp của hồ sơ đã chiếm 60 MB trên tối đa 60 MB, trong đó 45 MB là các "
        "phiên bản trước đã được thay thế hoặc gỡ bỏ. Các phiên bản trước sẽ bị xóa 30 ngày sau khi được thay "
        "thế; hãy liên hệ Ban tổ chức nếu cần giải phóng dung lượng sớm hơn."
    )
    db.session.expire_all()
    assert len(entry.attachments) == 4 and _files_on_disk(app) == 4  # nothing stored for the refused upload


def test_removed_files_count_too(app, db):
    from contest.domain.attachments import add_attachment, remove_attachment
    from contest.domain.errors import DomainError
    from contest.models import AttachmentKind

    team, entry = _entry(db)
    description = pdf_of_size(20 * MB - 64)  # three of them leave less room than a small PDF needs
    for _ in range(3):
        add_attachment(entry, AttachmentKind.description, "thuyet-minh.pdf", description, team.leader)
        remove_attachment(entry, entry.current_attachments(AttachmentKind.description)[0])
    assert entry.current_attachments() == []
    with pytest.raises(DomainError, match="60 MB"):
        add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", PDF, team.leader)


def _age(attachment, days: int) -> None:
    attachment.replaced_at = attachment.replaced_at - timedelta(days=days)


def test_purge_after_the_retention_period_frees_the_quota_and_keeps_the_records(app, db):
    from contest.domain.attachments import add_attachment, purge_expired_files, storage_use
    from contest.domain.errors import DomainError
    from contest.models import AttachmentKind, AuditEvent
    from contest.storage import get_storage

    team, entry = _entry(db)
    deck = pdf_of_size(15 * MB - 4096)
    for _ in range(4):
        add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", deck, team.leader)
    oldest, older, recent = sorted(entry.earlier_attachments(), key=lambda a: a.id)
    _age(oldest, 40)
    _age(older, 31)
    _age(recent, 29)  # within the 30 days: kept
    db.session.commit()
    with pytest.raises(DomainError):
        add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", deck, team.leader)

    report = purge_expired_files()
    assert (report.files, report.entries, report.deleted, report.bytes) == (2, 1, 2, 2 * len(deck))
    db.session.expire_all()
    storage = get_storage()
    for row in (oldest, older):
        # The record stays: name, size, hash, who and when; only the contents are gone.
        assert row.purged_at is not None and row.sha256 == entry.attachments[-1].sha256 and row.size == len(deck)
        assert not storage.exists(row.storage_key)
    assert recent.purged_at is None and storage.exists(recent.storage_key)
    assert storage.exists(entry.current_attachments()[0].storage_key)
    assert storage_use(entry).used == 2 * len(deck) and _files_on_disk(app) == 2
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "entry.files_purged")).one()
    assert event.reason == "retention" and event.object_id == str(entry.id) and event.actor_id is None
    assert [f["sha256"] for f in event.after["files"]] == [oldest.sha256, older.sha256]
    # The space is free again.
    add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", deck, team.leader)
    assert purge_expired_files().files == 0  # nothing more is due


def test_a_file_shared_with_a_nominated_copy_stays_on_disk(app, db):
    """Copies made by the nominations of before projects (c4cfb72dae0c) share their origin's files."""
    from contest.domain.attachments import add_attachment, purge_expired_files
    from contest.domain.entries import get_or_create_entry, submit
    from contest.models import Attachment, AttachmentKind
    from contest.storage import get_storage
    from tests.factories import fill_entry, make_competition, make_team

    district = make_competition("huyen-2026", preset="district_commune")
    team = make_team(district)
    source = fill_entry(team)
    submit(source, team.leader)
    copy = get_or_create_entry(make_team(make_competition("tinh-2026")))
    shared = source.current_attachments(AttachmentKind.pitch_deck)[0]
    copy.origin_entry_id, copy.project_id = source.id, source.project_id
    copy.attachments.append(
        Attachment(
            kind=shared.kind,
            filename=shared.filename,
            storage_key=shared.storage_key,
            content_type=shared.content_type,
            size=shared.size,
            sha256=shared.sha256,
        )
    )
    db.session.commit()
    add_attachment(source, AttachmentKind.pitch_deck, "deck-moi.pdf", make_pdf(3), team.leader)
    _age(shared, 31)
    db.session.commit()
    report = purge_expired_files()
    assert report.files == 1 and report.deleted == 0
    db.session.expire_all()
    assert shared.purged_at is not None
    copy_deck = copy.current_attachments(AttachmentKind.pitch_deck)[0]
    assert copy_deck.storage_key == shared.storage_key and get_storage().exists(copy_deck.storage_key)


def test_purge_command_dry_run_then_purge(app, db):
    from contest.domain.attachments import add_attachment
    from contest.models import AttachmentKind
    from contest.storage import get_storage

    team, entry = _entry(db)
    for _ in range(3):
        add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", PDF, team.leader)
    for row in entry.earlier_attachments():
        _age(row, 8)
    db.session.commit()
    keys = [row.storage_key for row in entry.earlier_attachments()]
    runner = app.test_cli_runner()

    result = runner.invoke(args=["uploads", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would purge 0 files" in result.output  # the default keeps them 30 days
    result = runner.invoke(args=["uploads", "purge", "--days", "7", "--dry-run"])
    assert "would purge 2 files" in result.output and "of 1 entries" in result.output
    assert all(get_storage().exists(key) for key in keys)

    result = runner.invoke(args=["uploads", "purge", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert "purged 2 files" in result.output and "2 stored files deleted" in result.output
    assert not any(get_storage().exists(key) for key in keys)
    assert runner.invoke(args=["uploads", "purge", "--days", "-1"]).exit_code != 0


def test_purge_deletes_a_file_an_interrupted_run_left_behind(app, db):
    from contest.domain.attachments import add_attachment, purge_expired_files
    from contest.models import AttachmentKind
    from contest.models.base import utcnow
    from contest.storage import get_storage

    team, entry = _entry(db)
    add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", PDF, team.leader)
    add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", make_pdf(3), team.leader)
    old = entry.earlier_attachments()[0]
    old.purged_at = utcnow()  # committed as purged, but the run stopped before deleting the file
    db.session.commit()
    assert get_storage().exists(old.storage_key)
    assert purge_expired_files().deleted == 1
    assert not get_storage().exists(old.storage_key)
    assert get_storage().exists(entry.current_attachments()[0].storage_key)


def test_two_uploads_at_once_cannot_both_take_the_last_free_space(app, db):
    from contest.domain.attachments import add_attachment
    from contest.extensions import db as _db
    from contest.models import Attachment, AttachmentKind, Entry, User

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the entry's row lock is PostgreSQL's; SQLite is for `make run` only")
    team, entry = _entry(db)
    deck = pdf_of_size(15 * MB - 4096)
    for _ in range(3):
        add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", deck, team.leader)
    db.session.commit()
    entry_id, user_id = entry.id, team.leader_id

    def upload(_i, ready):
        ready()
        add_attachment(
            _db.session.get(Entry, entry_id),
            AttachmentKind.pitch_deck,
            "deck.pdf",
            deck,
            _db.session.get(User, user_id),
        )
        return "ok"

    results = at_the_same_moment(app, upload)
    assert sorted(results) == ["entry_too_large", "ok"]
    db.session.expire_all()
    assert db.session.query(Attachment).filter_by(entry_id=entry_id).count() == 4 and _files_on_disk(app) == 4

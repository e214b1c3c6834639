"""Certificates: Vietnamese text, embedded fonts, QR verification link, fitting, escaping."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab.lib.fonts import tt2ps

from contest.certificates.layout import (
    CertificateData,
    CertificateLayout,
    CertificateTemplate,
    layout_certificate,
    render_certificate,
    render_certificate_files,
    render_certificates,
    vietnamese_date,
)
from contest.pdf.fonts import (
    FONT_BOLD,
    FONT_FAMILY,
    FontUnavailableError,
    ensure_fonts,
    missing_characters,
    nfc,
    nfc_line,
    resolve_font_files,
)

VERIFY_URL = "https://thi.quangngai.gov.vn/verify/8fK2xQ9zLmN4pR7tV1wY"
TEMPLATE = CertificateTemplate(signer_name="Trần Phước Hiền")
BASE_14 = {
    "Courier",
    "Courier-Bold",
    "Courier-BoldOblique",
    "Courier-Oblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-BoldOblique",
    "Helvetica-Oblique",
    "Symbol",
    "Times-Roman",
    "Times-Bold",
    "Times-BoldItalic",
    "Times-Italic",
    "ZapfDingbats",
}


def make_data(**overrides: object) -> CertificateData:
    values: dict[str, object] = {
        "person_name": "Nguyễn Thị Hồng Nhung",
        "award_name": "Giải Nhất",
        "competition_name": "Cuộc thi Khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi năm 2026",
        "serial": "QNG-2026-000123",
        "verify_url": VERIFY_URL,
        "team_name": "Nông sản sạch Sơn Tịnh",
        "project_title": "Ứng dụng IoT giám sát vườn keo cho nông hộ miền núi",
        "issued_on": date(2026, 12, 20),
    }
    values.update(overrides)
    return CertificateData(**values)  # type: ignore[arg-type]


def png(size: tuple[int, int], draw, mode: str = "RGBA") -> bytes:
    image = Image.new(mode, size, (255, 255, 255) if mode == "RGB" else (0, 0, 0, 0))
    draw(ImageDraw.Draw(image))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def images_template(**overrides: object) -> CertificateTemplate:
    logo = png((300, 300), lambda d: d.ellipse((5, 5, 295, 295), fill=(200, 30, 30)), "RGB")
    seal = png((400, 400), lambda d: d.ellipse((10, 10, 390, 390), outline=(210, 20, 20, 200), width=16))
    signature = png(
        (600, 240), lambda d: d.line([(20, 180), (200, 40), (400, 200), (580, 60)], fill=(20, 20, 120, 255), width=8)
    )
    values: dict[str, object] = {
        "signer_name": "Trần Phước Hiền",
        "logo_image": logo,
        "seal_image": seal,
        "signature_image": signature,
    }
    values.update(overrides)
    return CertificateTemplate(**values)  # type: ignore[arg-type]


def page_texts(pdf: bytes) -> list[str]:
    return [unicodedata.normalize("NFC", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def assert_inside_border(layout: CertificateLayout) -> None:
    for role, box in layout.content_boxes():
        assert layout.inner.contains(box), f"{role} {box} leaves {layout.inner}"


# --------------------------------------------------------------------------- text


def test_vietnamese_strings_are_extractable() -> None:
    text = page_texts(render_certificate(TEMPLATE, make_data()))[0]
    for expected in (
        "GIẤY CHỨNG NHẬN",
        "Nguyễn Thị Hồng Nhung",
        "Giải Nhất",
        "Độc lập - Tự do - Hạnh phúc",
        "Quảng Ngãi, ngày 20 tháng 12 năm 2026",
        "Số: QNG-2026-000123",
        "Trần Phước Hiền",
    ):
        assert expected in text


def test_merged_pdf_has_one_page_per_certificate_with_the_static_parts() -> None:
    names = ["Lê Văn Tám", "Phạm Thị Ánh Tuyết", "Đặng Quốc Bảo"]
    pdf = render_certificates(TEMPLATE, [make_data(person_name=n) for n in names])
    texts = page_texts(pdf)
    assert len(texts) == 3
    for name, text in zip(names, texts, strict=True):
        assert name in text and "GIẤY CHỨNG NHẬN" in text  # the title comes from the shared form
        assert all(other not in text for other in names if other != name)


def test_separate_files_one_pdf_each_in_order() -> None:
    names = ["Võ Thị Sáu", "Huỳnh Thúc Kháng"]
    files = list(render_certificate_files(TEMPLATE, [make_data(person_name=n) for n in names]))
    assert [name in page_texts(pdf)[0] for pdf, name in zip(files, names, strict=True)] == [True, True]


def test_markup_in_a_name_prints_as_typed() -> None:
    name = "<b>&amp;</b> <font color=red>"
    layout = layout_certificate(TEMPLATE, make_data(person_name=name))
    assert layout.block("person").lines[0].text == name
    assert name in page_texts(render_certificate(TEMPLATE, make_data(person_name=name)))[0]


def test_decomposed_input_comes_out_composed() -> None:
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Ho\u0302\u0300ng Nhung"
    assert unicodedata.normalize("NFC", decomposed) == "Nguyễn Thị Hồng Nhung" != decomposed
    layout = layout_certificate(TEMPLATE, make_data(person_name=decomposed))
    assert layout.block("person").lines[0].text == "Nguyễn Thị Hồng Nhung"
    raw = PdfReader(io.BytesIO(render_certificate(TEMPLATE, make_data(person_name=decomposed))))
    assert "Nguyễn Thị Hồng Nhung" in raw.pages[0].extract_text()  # already NFC in the PDF itself


def test_values_are_not_reinterpreted_as_placeholders() -> None:
    layout = layout_certificate(TEMPLATE, make_data(team_name="{award} {person}"))
    assert any(line.text == "Đội thi: {award} {person}" for b in layout.blocks for line in b.lines)


def test_paragraph_with_only_empty_fields_is_left_out() -> None:
    layout = layout_certificate(TEMPLATE, make_data(team_name="", project_title="   "))
    texts = [line.text for block in layout.blocks for line in block.lines]
    assert not any(text.startswith("Đội thi") for text in texts)
    assert not any(block.role == "project" for block in layout.blocks)


def test_extra_fields_and_fixed_date_line() -> None:
    template = CertificateTemplate(
        wording="Chứng nhận\n{person}\nBảng {board}\n{unknown} stays", place_and_date="Quảng Ngãi, tháng 12/2026"
    )
    layout = layout_certificate(template, make_data(extra={"board": "Ý tưởng"}))
    texts = [line.text for block in layout.blocks for line in block.lines]
    assert "Bảng Ý tưởng" in texts and "{unknown} stays" in texts
    assert layout.block("date").lines[0].text == "Quảng Ngãi, tháng 12/2026"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 5), "Quảng Ngãi, ngày 05 tháng 01 năm 2026"),
        (date(2026, 2, 28), "Quảng Ngãi, ngày 28 tháng 02 năm 2026"),
        (date(2026, 3, 9), "Quảng Ngãi, ngày 09 tháng 3 năm 2026"),
        (date(2026, 12, 20), "Quảng Ngãi, ngày 20 tháng 12 năm 2026"),
    ],
)
def test_vietnamese_date(day: date, expected: str) -> None:
    assert vietnamese_date("Quảng Ngãi", day) == expected


def test_nfc_drops_controls_and_invisible_characters() -> None:
    assert nfc("A\x00B\u200bC\tD\r\nE\u202e") == "ABC D\nE"
    assert nfc_line("  Lê \n  Văn\x07  Tám ") == "Lê Văn Tám"


# --------------------------------------------------------------------------- fonts


def _fonts_in(resources, seen: list) -> None:
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        seen.append(font.get_object())
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            _fonts_in(xobject["/Resources"], seen)


@pytest.mark.parametrize("merged", [False, True])
def test_every_font_is_embedded_and_none_is_base_14(merged: bool) -> None:
    data = make_data(person_name="Đỗ Thị Ngọc Ánh")
    pdf = render_certificates(TEMPLATE, [data, data]) if merged else render_certificate(TEMPLATE, data)
    fonts: list = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        _fonts_in(page["/Resources"], fonts)
    assert fonts
    for font in fonts:
        base = str(font["/BaseFont"]).lstrip("/")
        assert base.split("+")[-1] not in BASE_14
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), base
    assert b"Helvetica" not in pdf


def test_characters_the_font_cannot_draw_are_reported() -> None:
    assert missing_characters("Nguyễn Thị Hồng Nhung (Ứ) <&>") == ""
    assert missing_characters("中文 Tên 中") == "中文"


def test_certificate_renders_with_the_dejavu_fallback() -> None:
    if not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file():
        pytest.skip("DejaVu fonts not installed")
    # Font registration is once per process, so the fallback runs in a fresh one.
    script = (
        "import io, contest.pdf.fonts as f\n"
        "f._be_vietnam_pro_dir = lambda: None\n"
        "from pypdf import PdfReader\n"
        "from contest.certificates.layout import CertificateTemplate, CertificateData, render_certificate\n"
        "d = CertificateData('Nguyễn Thị Hồng Nhung', 'Giải Nhất', 'Cuộc thi', 'S1', 'https://x.vn/v/1')\n"
        "pdf = render_certificate(CertificateTemplate(), d)\n"
        "print(f.ensure_fonts().family, b'DejaVuSans-Bold' in pdf,"
        " 'Hồng Nhung' in PdfReader(io.BytesIO(pdf)).pages[0].extract_text())\n"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["DejaVu", "Sans", "True", "True"], result.stderr


def test_bold_markup_maps_to_our_bold_font() -> None:
    ensure_fonts()
    assert tt2ps(FONT_FAMILY.lower(), 1, 0) == FONT_BOLD


def test_font_resolution_falls_back_to_dejavu_and_refuses_nothing(tmp_path: Path) -> None:
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if (dejavu / "DejaVuSans.ttf").is_file():
        assert resolve_font_files(tmp_path / "missing", dejavu).family == "DejaVu Sans"
    with pytest.raises(FontUnavailableError):
        resolve_font_files(None, tmp_path)


# --------------------------------------------------------------------------- QR code


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is required in CI (.ci/run installs it)")
        pytest.skip(f"{tool} not installed (apt-get install zbar-tools poppler-utils)")
    return path


def decode_qr(pdf: bytes, tmp_path: Path, page: int = 1) -> list[str]:
    pdftoppm, zbarimg = _require("pdftoppm"), _require("zbarimg")
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        [
            pdftoppm,
            "-r",
            "150",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(tmp_path / "c.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    result = subprocess.run(
        [zbarimg, "--raw", "-q", str(tmp_path / "page.png")], capture_output=True, text=True, timeout=60
    )
    return result.stdout.split()


def test_qr_code_decodes_to_the_verification_link(tmp_path: Path) -> None:
    assert decode_qr(render_certificate(TEMPLATE, make_data()), tmp_path) == [VERIFY_URL]


def test_qr_code_on_a_merged_page_with_images_and_background(tmp_path: Path) -> None:
    background = png((400, 280), lambda d: d.rectangle((0, 0, 400, 280), fill=(240, 225, 180)), "RGB")
    template = images_template(background_image=background)
    other = VERIFY_URL.replace("8fK2", "Zz99")
    pdf = render_certificates(template, [make_data(), make_data(verify_url=other)])
    assert decode_qr(pdf, tmp_path, page=2) == [other]


# --------------------------------------------------------------------------- fitting


def test_long_name_and_project_title_stay_inside_the_border() -> None:
    name = ("Nguyễn Hoàng Phương Thảo Trần Lê Quốc Bảo Ngọc " * 2)[:80]
    title = ("Nền tảng số kết nối nông sản sạch Quảng Ngãi với chuỗi cung ứng và du lịch cộng đồng " * 3)[:200]
    assert len(name) == 80 and len(title) == 200
    for template in (TEMPLATE, images_template()):
        layout = layout_certificate(template, make_data(person_name=name, project_title=title))
        assert_inside_border(layout)
        for block in layout.blocks:
            assert block.size >= block.min_size
            assert 1 <= len(block.lines) <= block.max_lines
            assert all(line.width <= layout.inner.width for line in block.lines)
        person = layout.block("person")
        assert " ".join(line.text for line in person.lines) == name.strip()  # wrapped, not cut
        assert not layout.block("project").truncated


def test_absurdly_long_text_is_cut_with_an_ellipsis_not_overflowing() -> None:
    layout = layout_certificate(TEMPLATE, make_data(person_name="Nguyễn Văn A " * 200, project_title="X" * 3000))
    assert_inside_border(layout)
    person = layout.block("person")
    assert person.truncated and person.lines[-1].text.endswith("…")
    assert person.size == person.min_size and len(person.lines) <= person.max_lines


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
@pytest.mark.parametrize("border", ["double", "simple", "none"])
def test_every_orientation_and_border_keeps_blocks_inside(orientation: str, border: str) -> None:
    template = images_template(orientation=orientation, border_style=border)
    layout = layout_certificate(template, make_data(person_name="Tôn Nữ Thị " * 8))
    assert_inside_border(layout)
    assert (
        layout.page_width < layout.page_height if orientation == "portrait" else layout.page_width > layout.page_height
    )


def test_template_and_data_reject_bad_values() -> None:
    with pytest.raises(ValueError):
        CertificateTemplate(border_color="red")
    with pytest.raises(ValueError):
        CertificateTemplate(border_style="wavy")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        make_data(verify_url="  ")


def test_unreadable_image_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not a readable image"):
        render_certificate(CertificateTemplate(logo_image=b"not an image"), make_data())


def test_palette_image_with_transparency_is_accepted() -> None:
    image = Image.new("P", (60, 60), 0)
    image.info["transparency"] = 0
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    pdf = render_certificate(CertificateTemplate(logo_image=buffer.getvalue()), make_data())
    assert "Nguyễn Thị Hồng Nhung" in page_texts(pdf)[0]


def test_names_shrink_before_they_wrap() -> None:
    name = "Công Tôn Nữ Thị Hoàng Phương Thảo Nguyên Bảo Ngọc Anh"  # too wide at 28 pt, not at 24
    person = layout_certificate(TEMPLATE, make_data(person_name=name)).block("person")
    assert len(person.lines) == 1 and person.min_size <= person.size < 28


def test_concurrent_rendering_from_threads() -> None:
    template = images_template()
    names = [f"Thí sinh {i}" for i in range(12)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        pdfs = list(pool.map(lambda n: render_certificate(template, make_data(person_name=n)), names))
    for name, pdf in zip(names, pdfs, strict=True):
        assert name in page_texts(pdf)[0]


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    "AĂÂĐÊÔƠƯẤẦẨẪẬẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰ0123456789"
)
vietnamese_text = st.text(
    alphabet=st.sampled_from(VIETNAMESE + "      -.,'&<>/\u0301\u0323\u200b\t"), min_size=1, max_size=300
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=vietnamese_text, title=vietnamese_text, team=vietnamese_text)
@example(name="Nguyễn Văn A", title="Tỏi đen", team="A\u200b\u0301")  # a mark behind an invisible character
def test_random_text_never_leaves_the_border(name: str, title: str, team: str) -> None:
    layout = layout_certificate(TEMPLATE, make_data(person_name=name, project_title=title, team_name=team))
    assert_inside_border(layout)
    for block in layout.blocks:
        assert block.size >= block.min_size and len(block.lines) <= block.max_lines
        assert all(unicodedata.is_normalized("NFC", line.text) for line in block.lines)


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("A\u200b\u0301", "Á"),  # zero-width space between a letter and its mark
        ("Nguye\u0302\ufeff\u0303n", "Nguyễn"),  # a BOM inside a decomposed letter
        ("Lê\u200bVăn", "LêVăn"),
    ],
)
def test_dropping_invisible_characters_leaves_nfc_text(typed: str, printed: str) -> None:
    from contest.pdf.fonts import nfc, nfc_line

    assert nfc(typed) == printed and nfc_line(typed) == printed

"""The administrative format (Decree 30/2020/NĐ-CP) as DOCX and PDF."""

import io
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document

from contest.reports.admin_document import (
    AdminDocument,
    TableData,
    place_date,
    write_docx,
    write_pdf,
)


def _document() -> AdminDocument:
    return AdminDocument(
        superior="UBND TỈNH QUẢNG NGÃI",
        issuer="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        number="Số: 12/BC-SKHCN",
        place_date=place_date("Quảng Ngãi", date(2025, 12, 15)),
        kind="BÁO CÁO",
        subject="Kết quả thực hiện Kế hoạch năm 2025",
        addressees=["Bộ Khoa học và Công nghệ", "UBND tỉnh"],
        paragraphs=["Thực hiện Kế hoạch số 827/QĐ-UBND, Sở báo cáo như sau:"],
        tables=[
            TableData(
                "Bảng chỉ tiêu kết quả năm 2025",
                ("STT", "Chỉ tiêu", "Kết quả"),
                (("1", "Dự án khởi nghiệp được hỗ trợ", "17"), ("2", "Sự kiện <b>&", "5")),
            )
        ],
        recipients=["Như trên", "Lưu: VT"],
        signer_title="GIÁM ĐỐC",
        signer_name="Nguyễn Văn Đức",
    )


def _docx_text(data: bytes) -> tuple[str, list[list[str]]]:
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    rows = []
    for table in doc.tables:
        for row in table.rows:
            cells = [c.text for c in row.cells]
            rows.append(cells)
            texts += cells
    return "\n".join(texts), rows


def test_the_docx_has_the_national_heading_kinh_gui_and_the_indicator_table_in_times_new_roman():
    data = write_docx(_document())
    text, rows = _docx_text(data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Kính gửi: - Bộ Khoa học và Công nghệ;" in text
    assert "Quảng Ngãi, ngày 15 tháng 12 năm 2025" in text and "Nơi nhận:" in text
    assert ["1", "Dự án khởi nghiệp được hỗ trợ", "17"] in rows and ["2", "Sự kiện <b>&", "5"] in rows
    doc = Document(io.BytesIO(data))
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert 13 <= doc.styles["Normal"].font.size.pt <= 14


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils' pdftotext is needed")
def test_the_pdf_shows_vietnamese_text_with_an_embedded_font(tmp_path):
    data = write_pdf(_document())
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Kính gửi" in text
    assert "Dự án khởi nghiệp được hỗ trợ" in text and "Sự kiện <b>&" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Helvetica" not in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])

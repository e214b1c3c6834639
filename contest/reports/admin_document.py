"""Reports in the administrative format of Decree 30/2020/NĐ-CP: the national
heading, the issuing body, number and symbol, place and date, title, "Kính gửi",
the body with its tables, "Nơi nhận" and the signer. As DOCX (what officers
edit and sign: Times New Roman 13–14 pt) and PDF (an embedded Vietnamese font).
Pure: plain data in, bytes out."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
TO = "Kính gửi"
RECIPIENTS = "Nơi nhận"


@dataclass(frozen=True)
class TableData:
    heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass
class AdminDocument:
    superior: str  # "UBND TỈNH QUẢNG NGÃI"
    issuer: str  # "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    number: str  # "Số: …/BC-SKHCN"
    place_date: str  # "Quảng Ngãi, ngày 15 tháng 12 năm 2025"
    kind: str  # "BÁO CÁO"
    subject: str
    addressees: list[str]
    paragraphs: list[str] = field(default_factory=list)
    tables: list[TableData] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signer_title: str = ""
    signer_name: str = ""


def place_date(place: str, day) -> str:
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


# -- DOCX -------------------------------------------------------------------------


def write_docx(doc: AdminDocument) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    out = Document()
    section = out.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = out.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    normal.paragraph_format.space_after = Pt(3)

    def para(cell_or_doc, text, *, bold=False, italic=False, size=None, align=None):
        p = cell_or_doc.add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        return p

    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    head = out.add_table(rows=2, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.cell(0, 0), head.cell(0, 1)
    left.paragraphs[0].add_run(doc.superior).font.size = Pt(13)
    left.paragraphs[0].alignment = center
    para(left, doc.issuer, bold=True, size=13, align=center)
    right.paragraphs[0].add_run(NATIONAL).bold = True
    right.paragraphs[0].runs[0].font.size = Pt(13)
    right.paragraphs[0].alignment = center
    para(right, MOTTO, bold=True, size=14, align=center)
    head.cell(1, 0).paragraphs[0].add_run(doc.number).font.size = Pt(13)
    head.cell(1, 0).paragraphs[0].alignment = center
    head.cell(1, 1).paragraphs[0].add_run(doc.place_date).italic = True
    head.cell(1, 1).paragraphs[0].alignment = center

    para(out, doc.kind, bold=True, align=center).paragraph_format.space_before = Pt(12)
    para(out, doc.subject, bold=True, align=center)
    for i, addressee in enumerate(doc.addressees):
        label = f"{TO}: " if i == 0 else "\u00a0" * 12
        para(out, f"{label}{addressee}" if len(doc.addressees) == 1 else f"{label}- {addressee};", align=center)
    for text in doc.paragraphs:
        p = para(out, text, align=justify)
        p.paragraph_format.first_line_indent = Cm(1)
    for table in doc.tables:
        para(out, table.heading, bold=True)
        grid = out.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        for cell, title in zip(grid.rows[0].cells, table.columns, strict=True):
            cell.paragraphs[0].add_run(title).bold = True
            cell.paragraphs[0].runs[0].font.size = Pt(12)
        for row in table.rows:
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.paragraphs[0].add_run(value).font.size = Pt(12)
    for text in doc.closing:
        p = para(out, text, align=justify)
        p.paragraph_format.first_line_indent = Cm(1)

    foot = out.add_table(rows=1, cols=2)
    left, right = foot.cell(0, 0), foot.cell(0, 1)
    run = left.paragraphs[0].add_run(f"{RECIPIENTS}:")
    run.bold, run.italic, run.font.size = True, True, Pt(12)
    for recipient in doc.recipients:
        para(left, f"- {recipient};", size=11)
    right.paragraphs[0].add_run(doc.signer_title).bold = True
    right.paragraphs[0].alignment = center
    for _ in range(3):
        para(right, "", align=center)
    para(right, doc.signer_name, bold=True, align=center)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


# -- PDF --------------------------------------------------------------------------


def write_pdf(doc: AdminDocument) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from contest.pdf.fonts import FONT_BOLD, FONT_ITALIC, FONT_REGULAR, ensure_fonts, nfc

    ensure_fonts()

    def style(name, font=FONT_REGULAR, size=11, **kw):
        return ParagraphStyle(name, fontName=font, bulletFontName=font, fontSize=size, leading=size * 1.3, **kw)

    body, bold_c = (
        style("body", alignment=TA_JUSTIFY, firstLineIndent=8 * mm, spaceAfter=3),
        style("bc", FONT_BOLD, alignment=TA_CENTER),
    )
    center, italic_c = style("c", alignment=TA_CENTER), style("ic", FONT_ITALIC, alignment=TA_CENTER)
    cell, head = style("cell", size=9), style("head", FONT_BOLD, 9)
    h3 = style("h3", FONT_BOLD, spaceBefore=6, spaceAfter=3)

    def p(text, st):
        return Paragraph(escape(nfc(text)), st)

    width = A4[0] - 45 * mm
    heading = Table(
        [
            [p(doc.superior, center), p(NATIONAL, bold_c)],
            [p(doc.issuer, bold_c), p(MOTTO, bold_c)],
            [p(doc.number, center), p(doc.place_date, italic_c)],
        ],
        colWidths=[width * 0.42, width * 0.58],
        style=[("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR)],
    )
    story = [
        heading,
        Spacer(1, 8 * mm),
        p(doc.kind, style("kind", FONT_BOLD, 13, alignment=TA_CENTER)),
        p(doc.subject, bold_c),
        Spacer(1, 3 * mm),
    ]
    story += [p(f"{TO}: " + "; ".join(doc.addressees) + ".", center), Spacer(1, 4 * mm)]
    story += [p(text, body) for text in doc.paragraphs]
    for table in doc.tables:
        story.append(p(table.heading, h3))
        data = [[p(c, head) for c in table.columns]] + [[p(v, cell) for v in row] for row in table.rows]
        n = len(table.columns)
        widths = [14 * mm] + [(width - 14 * mm) / (n - 1)] * (n - 1) if n > 2 else None
        grid = Table(data, repeatRows=1, hAlign="LEFT", colWidths=widths)
        grid.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ]
            )
        )
        story.append(grid)
    story += [p(text, body) for text in doc.closing]
    recipients = [p(f"{RECIPIENTS}:", style("r", FONT_BOLD, 10))] + [
        p(f"- {r};", style("r2", size=9)) for r in doc.recipients
    ]
    signer = [p(doc.signer_title, bold_c), Spacer(1, 18 * mm), p(doc.signer_name, bold_c)]
    story += [
        Spacer(1, 6 * mm),
        Table(
            [[recipients, signer]],
            colWidths=[width * 0.5, width * 0.5],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR)],
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=30 * mm,
        rightMargin=15 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=nfc(doc.subject),
        author=nfc(doc.issuer),
        creator="qng-contest",
        lang="vi-VN",
        initialFontName=FONT_REGULAR,
    ).build(story)
    return buffer.getvalue()

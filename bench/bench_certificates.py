"""Certificate rendering speed: one merged PDF and separate PDF files, in one process.

    python bench/bench_certificates.py [--count 600] [--repeat 3] [--out DIR] [--strict]

Targets (issue): at least 150 certificates/s into one merged PDF and 80/s as
separate files.  The template is the standard one (default wording, double
border) with a logo, a signature and a seal, as organisers upload them.  Each
measurement is repeated and the best run is reported (the least disturbed by
other load on the machine); the median is shown too.  A one-certificate
warm-up first decodes the template's images and loads the fonts, which every
real batch pays once as well.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from contest.certificates.layout import (  # noqa: E402
    CertificateData,
    CertificateTemplate,
    render_certificate,
    render_certificate_files,
    render_certificates,
)

TARGET_MERGED = 150.0
TARGET_SEPARATE = 80.0

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Thị", "Văn", "Hoàng", "Ngọc", "Minh", "Thanh", "Quốc", "Thị Hồng", "Đức"]
GIVEN = ["Nhung", "Tuấn", "Ánh", "Bảo", "Hiếu", "Thảo", "Dũng", "Yến", "Khoa", "Trâm"]
AWARDS = ["Giải Nhất", "Giải Nhì", "Giải Ba", "Giải Khuyến khích", "Giải Triển vọng"]
PROJECTS = [
    "Ứng dụng IoT giám sát vườn keo cho nông hộ miền núi",
    "Du lịch cộng đồng Lý Sơn gắn với bảo tồn rạn san hô",
    "Nền tảng số kết nối nông sản sạch Quảng Ngãi với bếp ăn trường học",
    "Sản xuất tỏi đen Lý Sơn theo chuỗi giá trị",
    "Trợ lý học tiếng Anh bằng trí tuệ nhân tạo cho học sinh vùng cao",
]


def _png(size: tuple[int, int], draw: Callable[[ImageDraw.ImageDraw], None], mode: str) -> bytes:
    image = Image.new(mode, size, (255, 255, 255) if mode == "RGB" else (0, 0, 0, 0))
    draw(ImageDraw.Draw(image))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def standard_template() -> CertificateTemplate:
    """Default template plus typical uploads: an opaque logo, a transparent seal and signature."""
    logo = _png((400, 400), lambda d: d.ellipse((10, 10, 390, 390), fill=(200, 30, 30)), "RGB")
    seal = _png((500, 500), lambda d: d.ellipse((10, 10, 490, 490), outline=(210, 20, 20, 200), width=18), "RGBA")
    signature = _png(
        (600, 240),
        lambda d: d.line([(20, 180), (120, 40), (200, 200), (300, 60), (580, 80)], fill=(20, 20, 120, 255), width=9),
        "RGBA",
    )
    return CertificateTemplate(
        signer_name="Trần Phước Hiền", logo_image=logo, seal_image=seal, signature_image=signature
    )


def certificates(count: int, seed: int) -> list[CertificateData]:
    rng = random.Random(seed)  # reproducible, yet different for each seed
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    return [
        CertificateData(
            person_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            award_name=rng.choice(AWARDS),
            competition_name="Cuộc thi Khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi năm 2026",
            serial=f"QNG-2026-{i:06d}",
            verify_url="https://thi.quangngai.gov.vn/verify/" + "".join(rng.choices(alphabet, k=22)),
            team_name=f"Đội {rng.choice(GIVEN)} {i}",
            project_title=rng.choice(PROJECTS),
            issued_on=date(2026, 12, 20),
        )
        for i in range(count)
    ]


def measure(
    run: Callable[[list[CertificateData]], int], count: int, repeat: int, seed: int
) -> tuple[float, float, int]:
    """(best, median) seconds over ``repeat`` runs, and the bytes the last run produced.

    Every run gets fresh data (new names, serials and verification links), so
    no per-certificate cache (QR matrices, word widths) is warm from a previous run.
    """
    times, size = [], 0
    for run_number in range(repeat):
        items = certificates(count, seed=seed * 1000 + run_number)
        start = time.perf_counter()
        size = run(items)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600, help="certificates per run (default 600)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--out", type=Path, help="also write merged.pdf and the separate files here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    template = standard_template()
    render_certificate(template, certificates(1, seed=-1)[0])  # warm-up: fonts, layout, images

    def merged(items: list[CertificateData]) -> int:
        pdf = render_certificates(template, items)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / "merged.pdf").write_bytes(pdf)
        return len(pdf)

    def separate(items: list[CertificateData]) -> int:
        total = 0
        for data, pdf in zip(items, render_certificate_files(template, items), strict=True):
            total += len(pdf)
            if args.out:
                (args.out / f"{data.serial}.pdf").write_bytes(pdf)
        return total

    print(f"{args.count} certificates, best of {args.repeat} runs, one process")
    all_met = True
    cases = (("merged PDF", merged, TARGET_MERGED), ("separate PDFs", separate, TARGET_SEPARATE))
    for seed, (label, run, target) in enumerate(cases, start=1):
        best, median, size = measure(run, args.count, args.repeat, seed)
        rate = args.count / best
        met = rate >= target
        all_met &= met
        print(
            f"  {label:14} {rate:7.1f}/s (median {args.count / median:6.1f}/s)  target {target:5.0f}/s  "
            f"{'MET' if met else 'MISSED'}  {size / args.count / 1024:6.1f} KiB per certificate"
        )
    return 0 if all_met or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())

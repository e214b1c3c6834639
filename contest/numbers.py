"""Numbers written the Vietnamese way ("." groups thousands, "," marks decimals)
for the pure document writers (the yearly report's PDF, the text cells of its
spreadsheet; charts unless the page passes its own writer), and the plain
spelling of a decimal for machine outputs. Pure. Pages write numbers in the
page's language with contest.i18n instead."""

from __future__ import annotations

from decimal import Decimal


def vn_number(number: float) -> str:
    """1500000 → "1.500.000"; a float is rounded to a whole number first."""
    text = f"{number:,}" if isinstance(number, int) else f"{number:,.0f}"
    return text.replace(",", ".")


def vn_money(amount: int) -> str:
    return f"{vn_number(amount)} đ"


def vn_percent(value: float) -> str:
    """One decimal with a decimal comma: 87.5 → "87,5%"."""
    return f"{value:.1f}".replace(".", ",") + "%"


def plain_decimal(value) -> str:
    """The machine spelling of a decimal, whatever the locale: 12.50 → "12.5", 20.00 → "20"
    (the scoring API, the audit log, exports)."""
    return format(Decimal(str(value)).normalize(), "f")

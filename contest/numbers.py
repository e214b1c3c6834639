"""Numbers written the Vietnamese way: "." groups thousands, "," marks decimals.
Pure, for pages, PDFs, spreadsheets and messages alike."""

from __future__ import annotations


def vn_number(number: float) -> str:
    """1500000 → "1.500.000"; a float is rounded to a whole number first."""
    text = f"{number:,}" if isinstance(number, int) else f"{number:,.0f}"
    return text.replace(",", ".")


def vn_money(amount: int) -> str:
    return f"{vn_number(amount)} đ"


def vn_percent(value: float) -> str:
    """One decimal with a decimal comma: 87.5 → "87,5%"."""
    return f"{value:.1f}".replace(".", ",") + "%"

"""How figures are written, the same on pages, in PDFs, Word and Excel: a percentage rounded half-up
to one decimal (6.25 → 6.3, where Python's round and float formatting give 6.2), points rounded
half-up to two decimals with no trailing zeros."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format

ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")


def as_decimal(value):
    """A number, a float or its text as the decimal it reads as (0.1 → 0.1, not 0.1000000000000000055)."""
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def rounded_percentage(share):
    """0.0625 → Decimal("6.3"); None (no rate: nothing signed off) → None."""
    share = None if share is None or share == "" else as_decimal(share)
    if share is None:
        return None
    return (share * 100).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def percent(share):
    """0.0625 → "6.3%"; no rate → "—"."""
    value = rounded_percentage(share)
    return "—" if value is None else f"{number_format(value, 1)}%"


def points(value):
    """Points with at most two decimals and no trailing zeros: 12, 12.5, -1, 0.13."""
    number = as_decimal(value) if value is not None else None
    if number is None:
        return "0"
    text = f"{number.quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP):f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text

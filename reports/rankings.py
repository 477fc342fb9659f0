"""Ordering units and officers by a measure, with ties broken the same way every time."""

from decimal import Decimal

MEASURES = ("points", "adopted", "rate")


def _key(row, measure):
    figures = row.figures
    values = {
        "points": figures.points or Decimal(0),
        "adopted": figures.adopted,
        "rate": figures.rate if figures.rate is not None else -1,
    }
    # the chosen measure first, then the others in a fixed order, then more submitted items
    order = [measure] + [m for m in MEASURES if m != measure]
    return (*(values[m] for m in order), figures.submitted)


def rank(rows, measure="points"):
    """Rows sorted best first, each with its rank. Rows equal on every measure share a rank (1, 2, 2, 4);
    among them the order is the unit order, then the name."""
    measure = measure if measure in MEASURES else "points"
    ordered = sorted(rows, key=lambda row: _name_key(row))
    ordered.sort(key=lambda row: _key(row, measure), reverse=True)
    previous = None
    for position, row in enumerate(ordered, start=1):
        key = _key(row, measure)
        row.rank = previous[1] if previous and previous[0] == key else position
        previous = (key, row.rank)
    return ordered


def _name_key(row):
    subject = row.subject
    return (getattr(subject, "order", 0), str(subject), subject.pk)

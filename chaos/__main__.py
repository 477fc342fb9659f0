"""`python -m chaos`: start the private services, run the scenarios (CHAOS_ONLY=1,4 for a subset,
CHAOS_SCALE=0.3 for a quick check), print the table; exit 1 if any line lost or doubled something."""

import os
import sys
import time
import traceback

from .harness import SCALE, Line, Run, wordpress_peer
from .services import LOGS


def main():
    chosen = [n.strip() for n in os.environ.get("CHAOS_ONLY", "1,2,3,4,5,6").split(",") if n.strip()]
    run = Run()
    lines = []
    started = time.monotonic()
    try:
        run.start()
        _prepare(run, chosen)
        from .scenarios import SCENARIOS

        for number in chosen:
            print(f"[chaos] scenario {number} ({time.monotonic() - started:.0f} s)", flush=True)
            try:
                lines.append(SCENARIOS[number](run))
            except Exception:  # a broken scenario is a failed line, and the others still run
                traceback.print_exc()
                lines.append(Line(f"{number} (crashed)", lost=1, notes=[traceback.format_exc(limit=3)]))
            print(_table(lines[-1:]), flush=True)
    finally:
        run.stop()
    print(f"\nChaos suite, scale {SCALE:g}, {time.monotonic() - started:.0f} s; logs in {LOGS}\n")
    print(_table(lines))
    return 1 if any(line.failed for line in lines) or not lines else 0


def _prepare(run, chosen):
    from . import office
    from .browser import Browser

    run.office = office.create_office()
    run.director = Browser(run.base_url, "director").sign_in()
    run.director2 = Browser(run.base_url, "director2").sign_in()
    run.wordpress, run.wordpress_reason = (None, "not needed")
    if "1" in chosen:
        run.wordpress, run.wordpress_reason = wordpress_peer()
        if run.wordpress:
            author = run.wordpress.author
            run.wordpress_outlet = office.wordpress_outlet(
                "Chaos WordPress", run.wordpress.url, author.username, author.app_password
            )


def _table(lines):
    header = ("scenario", "items", "delivered", "lost", "duplicated", "time to drain / max answer")
    rows = [header] + [
        (
            line.scenario,
            str(line.items),
            str(line.delivered),
            str(line.lost),
            str(line.duplicated),
            line.timing,
        )
        for line in lines
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    text = []
    for n, row in enumerate(rows):
        text.append(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if n == 0:
            text.append("-+-".join("-" * w for w in widths))
    for line in lines:
        for note in line.notes:
            text.append(f"  [{line.scenario.split()[0]}] {note}")
    return "\n".join(text)


if __name__ == "__main__":
    sys.exit(main())

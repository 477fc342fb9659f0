"""`make bench`: run every bench/bench_*.py (or those named on the command line) and print figures.

Each module has `run(report)`; it builds its data in a throw-away test database (SQLite by
default, PostgreSQL when DATABASE_URL says so) and calls `report(name, value, unit)`. bench_pages
builds its office at scale (bench/dataset.py, BENCH_ITEMS items) in a database of its own, which
BENCH_KEEP=1 keeps for the next run.
"""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publicity.settings")
# Its data is named in English and its pages asked for without a language: English, as in every run
# before the office's default became Chinese, so that the figures compare.
os.environ.setdefault("LANGUAGE_CODE", "en")


def main(names):
    import django

    django.setup()
    from django.db import transaction

    from bench.harness import bench_database

    modules = names or sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_")
    )
    with bench_database():
        loaded = [importlib.import_module(f"bench.{name}") for name in modules]
        # Benchmarks whose data must be committed (other processes read it) run last, so that what
        # they leave behind cannot collide with the others' data.
        for module in sorted(loaded, key=lambda m: getattr(m, "COMMITTED", False)):
            name = module.__name__.removeprefix("bench.")
            print(f"== {name}: {module.__doc__.strip().splitlines()[0]}")
            if getattr(module, "COMMITTED", False):  # other processes read its data: it must commit
                module.run(report)
                continue
            with transaction.atomic():  # each benchmark starts from an empty database
                module.run(report)
                transaction.set_rollback(True)


def report(name, value, unit):
    print(f"   {name:<48} {value:>12,.2f} {unit}")


if __name__ == "__main__":
    main(sys.argv[1:])

import time

from django.core.management.base import BaseCommand

from reports import tallies


class Command(BaseCommand):
    help = "Count every unit's and officer's kept figures again from the items (after a bulk load, a repair)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        written = tallies.rebuild()
        self.stdout.write(f"{written} figures counted in {time.perf_counter() - started:.1f} s.")

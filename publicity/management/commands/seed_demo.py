"""Load the demo data of every app. Idempotent: running it again changes nothing that exists."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from outlets import demo as outlets_demo
from reports import demo as reports_demo
from reviews import demo as reviews_demo
from submissions import demo as submissions_demo
from topics import demo as topics_demo


class Command(BaseCommand):
    help = "Load the demo office, units, users (password: publicity-demo) and configuration. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        for demo in (accounts_demo, submissions_demo, outlets_demo, reviews_demo, reports_demo, topics_demo):
            summary = demo.seed()
            if options["verbosity"]:
                self.stdout.write(self.style.SUCCESS(f"Demo data: {summary}."))

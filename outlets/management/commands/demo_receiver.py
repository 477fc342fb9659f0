from django.core.management.base import BaseCommand, CommandError

from outlets import demo
from publicity.ports import PortTaken


class Command(BaseCommand):
    help = (
        "Run the demo webhook receiver on DEMO_RECEIVER_PORT (a free port when 0); the demo outlet follows."
    )

    def handle(self, *args, **options):
        try:
            receiver = demo.start_receiver()
        except PortTaken as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Webhook receiver on {receiver.url}; the demo webhook outlet now points at it.")
        self.stdout.flush()
        try:
            receiver.server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.server.server_close()

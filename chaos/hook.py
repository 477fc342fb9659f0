"""The webhook receiver of outlets/receiver.py in a process of its own, recording every request it gets
(webhook-id, time, the status it answered) as one JSON line, and scripted from a control file:
{"fail_until": <epoch seconds>} answers 500 until then; {"delay": <seconds>} answers slowly.

    python -m chaos.hook --port 8099 --secret whsec_... --control var/chaos/hook.json --log var/chaos/hook.log
"""

import argparse
import json
import threading
import time
from pathlib import Path

from outlets.receiver import Receiver


class RecordingReceiver(Receiver):
    def __init__(self, secret, *, port, control, log):
        super().__init__(secret, port=port)
        self.control = Path(control)
        self.log = open(log, "a", buffering=1)  # noqa: SIM115 (open for the life of the process)
        self.log_lock = threading.Lock()

    def script_next(self):
        """Queue this request's answer from the control file (read on each request)."""
        try:
            control = json.loads(self.control.read_text())
        except (OSError, ValueError):
            control = {}
        with self._lock:
            if time.time() < control.get("fail_until", 0):
                self.answers.append((500, {}, 0))
            elif control.get("delay"):
                self.answers.append((200, {}, float(control["delay"])))

    def record(self, message_id, status):
        line = json.dumps({"id": message_id, "status": status, "t": time.time()})
        with self.log_lock:
            self.log.write(line + "\n")

    def _handler(self):
        receiver = self

        class Recording(super()._handler()):
            def do_POST(self):
                receiver.script_next()
                super().do_POST()

            def send_response(self, code, message=None):
                receiver.record(self.headers.get("webhook-id"), code)
                super().send_response(code, message)

        return Recording


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--control", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    receiver = RecordingReceiver(args.secret, port=args.port, control=args.control, log=args.log)
    print(f"Recording webhook receiver on {receiver.url}", flush=True)
    receiver.server.serve_forever()


if __name__ == "__main__":
    main()

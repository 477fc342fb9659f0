"""A small webhook receiver that verifies Standard Webhooks signatures: the demo's outlet (`make run`
starts it) and the tests' peer. It keeps what it received, once per webhook-id.

    python -m outlets.receiver --port 8099 --secret whsec_...
"""

import argparse
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from outlets.adapters.webhook import verify


class Receiver:
    """The received messages, by webhook-id; `answers` scripts what the next requests get."""

    def __init__(self, secret, host="127.0.0.1", port=0):
        self.secret = secret
        self.messages = {}  # webhook-id -> payload
        self.requests = 0
        self.answers = []  # [(status, headers, delay seconds)] for the next requests, then 200
        self.reply_url = None  # the "url" the receiver answers with; by default its own address
        self._lock = threading.Condition()
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count, timeout=15.0):
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.messages) >= count, timeout):
                raise TimeoutError(f"expected {count} message(s), got {len(self.messages)}")
            return list(self.messages.values())

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keeps connections open, as outlets' servers do

            def setup(self):
                super().setup()
                # The headers and the body go out in two writes: without this the body waits for
                # the client's delayed acknowledgement of the headers (40 ms).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver._lock:
                    receiver.requests += 1
                    status, headers, delay = receiver.answers.pop(0) if receiver.answers else (200, {}, 0)
                time.sleep(delay)
                if status == 200 and not verify(receiver.secret, self.headers, body):
                    status = 401
                if status == 200:
                    message_id = self.headers["webhook-id"]
                    with receiver._lock:
                        receiver.messages.setdefault(message_id, json.loads(body))
                        receiver._lock.notify_all()
                    url = receiver.reply_url or f"{receiver.url}/{message_id}"
                    reply = json.dumps({"id": message_id, "url": url}).encode()
                else:
                    reply = json.dumps({"error": f"scripted {status}"}).encode()
                self.send_response(status)
                fields = {"content-type": "application/json", "content-length": str(len(reply)), **headers}
                for name, value in fields.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    receiver = Receiver(args.secret, port=args.port)
    print(f"Webhook receiver on {receiver.url}", flush=True)
    receiver.server.serve_forever()


if __name__ == "__main__":
    main()

"""The ports `make run` listens on: name a taken one plainly instead of dying with a traceback.

python -m publicity.ports 8000
"""

import socket
import sys


class PortTaken(Exception):
    def __init__(self, port, what, setting):
        self.port = port
        super().__init__(
            f"Port {port} ({what}) is taken: another program listens on 127.0.0.1:{port}. "
            f"Stop it, or choose another port with {setting}=… (e.g. {setting}={port + 1})."
        )


def check_free(port, *, what="the web server", setting="PORT", host="127.0.0.1"):
    with socket.socket() as probe:
        # As the servers themselves do: a port left in TIME_WAIT by the last run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortTaken(port, what, setting) from error


def main(argv):
    try:
        check_free(int(argv[0]))
    except PortTaken as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Fault injection for the crash tests: a named point where a process can be made to die.

`failpoint("wordpress.after_post_created")` kills the current process with SIGKILL when the
environment variable PUBLICITY_FAILPOINT names that point — which only the tests set, on a worker
process they start themselves. Everywhere else it does nothing.
"""

import os
import signal


def failpoint(name):
    if os.environ.get("PUBLICITY_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)

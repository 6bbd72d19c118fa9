"""A forked child's view of the process's connections, for the tests of what a worker
started by gunicorn's fork inherits."""

import json
import os
from collections.abc import Callable


def in_forked_child(read: Callable[[], dict]) -> dict:
    """What `read` returns in a forked child of this process, or {"error": …} if it
    raised: sent back through a pipe as JSON, the child then leaving at once, without the
    parent's clean-up (its pytest, its connections' closing)."""
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            answer = read()
        except Exception as error:  # any failure is the answer: the parent shows it
            answer = {"error": repr(error)}
        os.write(writing, json.dumps(answer).encode())
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        answer = json.loads(pipe.read())
    os.waitpid(child, 0)
    return answer

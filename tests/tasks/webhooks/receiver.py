"""A real HTTP receiver on loopback, and the signature check an integrator writes.

`verify` is the README's few lines (Webhooks), read from it: the tests hold the calls to
what an integrator would check, not to the sender's own code.
"""

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def _readme_verify():
    """The README's `verify` (Webhooks), run as an integrator would copy it."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    code = readme[readme.index("## Webhooks") :].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - our own README's example
    return namespace["verify"]


verify = _readme_verify()


class Receiver:
    """Records every call; answers each with the next status of `script` (then 200),
    after `delay_s`."""

    def __init__(self, secret: str = ""):
        self.secret = secret
        self.lock = threading.Lock()
        self.calls: list[dict] = []
        self.script: list[int] = []
        self.delay_s = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delay_s)
                with receiver.lock:
                    status = receiver.script.pop(0) if receiver.script else 200
                    receiver.calls.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": body,
                            "status": status,
                        }
                    )
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answer {status}".encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/proximity?source=test"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[dict]:
        """The calls answered 2xx, each as the JSON it carried."""
        with self.lock:
            return [json.loads(c["body"]) for c in self.calls if 200 <= c["status"] < 300]

    def keys(self) -> Counter:
        """How many times each Idempotency-Key was accepted."""
        with self.lock:
            return Counter(
                c["headers"]["Idempotency-Key"] for c in self.calls if 200 <= c["status"] < 300
            )

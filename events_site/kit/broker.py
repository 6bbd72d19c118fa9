"""The embedded default's broker: kombu's filesystem transport, safe between processes.

kombu writes a message into the queue's folder in place, so a worker listing that folder
can take a file its producer is still writing: an empty message, or a lost one when the
worker's move crosses file systems. Here a message is written under a name that no queue
matches, then renamed, which is atomic within one folder.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # kombu's own name: the worker takes messages in the order of this prefix.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(self.data_folder_out, name)
        try:
            with open(f"{path}.part", "wb") as part:
                part.write(str_to_bytes(dumps(payload)))
            os.replace(f"{path}.part", path)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {path!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel

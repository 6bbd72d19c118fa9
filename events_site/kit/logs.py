"""What never reaches a log line: the tokens that are someone's key to a page.

A manage link (`/r/<token>/`, `/api/registrations/<token>`, `/calendar/r/<token>.ics`),
an invitation (`/i/<token>/`, `?invitation=`), a table's QR code (`/t/<token>/`) and a
sign-in link (`/signin/<token>/`) each give whoever reads them what the person they
were sent to may do. Django logs the path of every 4xx, gunicorn of every request: one
filter on every handler (settings.LOGGING, which gunicorn's log uses too) rewrites the
finished message, whoever wrote it.
"""

import logging
import re

REDACTED = "[redacted]"

_SECRET_IN_PATH = re.compile(r"(/(?:r|i|t|signin|registrations)/)[^/?#\s\"']+")
_SECRET_IN_QUERY = re.compile(r"([?&](?:invitation|token|secret|ticket)=)[^&#\s\"']+")


def redact(text: str) -> str:
    text = _SECRET_IN_PATH.sub(rf"\g<1>{REDACTED}", text)
    return _SECRET_IN_QUERY.sub(rf"\g<1>{REDACTED}", text)


class RedactSecrets(logging.Filter):
    """Applied to the formatted message, so that neither the format nor its arguments
    (Django's "Not Found: %s", gunicorn's access atoms) can carry a token past it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        # A traceback's last line is the exception's message, which may quote a path or
        # a value: formatted here (handlers reuse `exc_text`), and redacted too.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True

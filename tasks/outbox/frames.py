"""Many messages from one: a fan-out's message built once, then stamped per recipient.

An invitation to 5 000 people is 5 000 times the same message but for a name, an
address, a personal link and the calendar's ATTENDEE line. Building each one through
the templates, icalendar and the email package costs several times what sending it
does. A frame is that message built once, through the renderer's own code, for a
stand-in recipient whose name, address and values are random markers; each real
message is the frame with the markers replaced (escaped where the HTML template
escapes), down to the bytes sent over SMTP.

A frame proves itself before it is used: it stamps a made-up recipient with an awkward
name (markup, quotes, accents, emoji) and compares the bytes with what the renderer
builds for that recipient. If anything differs (a template that filters the name, a
part that is not plain 7bit or 8bit text, a header that depends on the recipient…), the
frame is not used and every message is built in full. A recipient the frame cannot
represent exactly (a name that would need another transfer encoding) is built in full
too.

Stamped messages are ordinary `EmailMultiAlternatives` with their own body,
alternatives and attachments; only `message().as_bytes(linesep="\\r\\n")`, what the SMTP
backend sends, comes from the frame.
"""

import base64
import copy
import logging
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from email import policy
from email.utils import formataddr, formatdate, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import DNS_NAME, forbid_multi_line_headers
from django.utils.html import escape

from ..models import Delivery
from .mail import _Message

logger = logging.getLogger(__name__)

Build = Callable[[Delivery, Mapping[str, str]], EmailMultiAlternatives]
CalendarLine = Callable[[Delivery], bytes]

# What the SMTP backend asks for: Django's compat32 messages, CRLF line endings.
_SMTP = policy.compat32.clone(linesep="\r\n")
# The generator folds header lines longer than this.
_FOLD_AT = _SMTP.max_line_length
# The email generator's own idea of a line break (email.generator.NLCRE).
_NEWLINES = re.compile(r"\r\n|\r|\n")
# RFC 5322's line limit; Django encodes a part with a longer line as quoted-printable.
_LINE_LIMIT = 998
# Headers every recipient shares, as Django writes them first; those after them (To,
# Reply-To, Date, Message-ID) are written per message.
_SHARED_HEADERS = (b"content-type", b"mime-version", b"subject", b"from")
_OWN_HEADERS = (b"to", b"date", b"message-id")
_DATE_LINE = re.compile(rb"^Date: [^\r\n]*\r\n", re.MULTILINE)

# The made-up recipient a frame is proved with: what a template or a header could get
# wrong. The ASCII one proves frames whose text parts are 7bit.
_CHECK_NAMES = ('Zoë <b>&amp; "Van den Bossche" l\'Été 🚲', 'Jo <b>&amp; "Van den O\'Brien"')
_CHECK_EMAIL = "frame.check@example.org"
_CHECK_VALUE = "https://example.org/{key}/?a=1&b=<2>\"'"
_CHECK_REPLY_TO = "organiser@example.org"
_CHECK_MESSAGE_ID = "<frame-check@proximity-meetings>"


class _Unframeable(Exception):
    """This message cannot be stamped: its recipients' messages are built in full."""


def message_frame(
    build: Build,
    delivery: Delivery,
    values: Mapping[str, str],
    *,
    calendar_line: CalendarLine | None = None,
) -> "MessageFrame":
    """A frame for the messages `build(delivery, values)` makes.

    `build` is the renderer's own code: it must depend on the recipient only through
    `delivery.to_name`, `delivery.to_email` and `values` (whose keys every recipient
    shares), and when the message carries a calendar, through the content line that
    `calendar_line(delivery)` writes (the ATTENDEE). Its templates may show these values
    or test whether they are empty (an empty one is built in full), not test what they
    are. Everything else about `delivery` (its kind, language, meeting) must be what the
    frame's other recipients share.
    """
    return MessageFrame(build, delivery, tuple(values), calendar_line)


class MessageFrame:
    def __init__(
        self,
        build: Build,
        delivery: Delivery,
        keys: Sequence[str],
        calendar_line: CalendarLine | None,
    ):
        self.build = build
        self.calendar_line = calendar_line
        self.usable = False
        try:
            self._frame(delivery, keys)
            self._prove(delivery, keys)
        except _Unframeable as exc:
            logger.warning("%s messages are built one by one: %s", delivery.kind, exc)
        except Exception:
            # Whatever went wrong, each message can still be built in full; if building
            # fails too, that is where the delivery fails, with its own reason.
            logger.exception("%s messages are built one by one", delivery.kind)
        else:
            self.usable = True

    # --- Stamping -----------------------------------------------------------------------

    def stamp(self, delivery: Delivery, values: Mapping[str, str]) -> EmailMultiAlternatives:
        """The message of `delivery`, as `build(delivery, values)` would make it."""
        if self.usable:
            message = self._stamp(delivery, values)
            if message is not None:
                return message
        return self.build(delivery, values)

    def _stamp(self, delivery: Delivery, values: Mapping[str, str]) -> "_Stamped | None":
        raw = {"name": delivery.to_name, "email": delivery.to_email, **values}
        # A template may say something else when a value is missing ("Hello," for no
        # name), which the frame, built with every value present, does not hold.
        if not all(raw.values()) or any(
            boundary in value for value in raw.values() for boundary in self.boundaries
        ):
            return None
        fills = {**raw, **{f"{slot}:html": escape(value) for slot, value in raw.items()}}
        if self.calendar_line is not None:
            fills["calendar"] = self.calendar_line(delivery).decode()
        contents, leaves = [], []
        for pieces, as_bytes, encode in zip(
            self.pieces, self.content_is_bytes, self.leaf_encoders, strict=True
        ):
            text = "".join(piece if type(piece) is str else fills[piece[0]] for piece in pieces)
            leaf = encode(text)
            if leaf is None:
                return None
            contents.append(text.encode() if as_bytes else text)
            leaves.append(leaf)
        message = _Stamped.__new__(_Stamped)
        message.__dict__.update(self.message.__dict__)
        message.to = [formataddr((delivery.to_name, delivery.to_email))]
        message.reply_to = list(self.message.reply_to)
        message.extra_headers = dict(self.message.extra_headers)
        message.body = contents[0]
        alternatives = len(self.message.alternatives)
        message.alternatives = [
            alternative._replace(content=content)
            for alternative, content in zip(
                self.message.alternatives, contents[1 : 1 + alternatives], strict=True
            )
        ]
        message.attachments = [
            attachment._replace(content=content)
            for attachment, content in zip(
                self.message.attachments, contents[1 + alternatives :], strict=True
            )
        ]
        message.frame = self
        message.stamped = (message.body, list(message.alternatives), list(message.attachments))
        message.leaves = leaves
        return message

    def flatten(self, message: "_Stamped") -> bytes | None:
        """The SMTP bytes of a stamped message, or None if it was changed in a way the
        frame does not know (another sender, subject, body or header)."""
        original = self.message
        if (
            message.from_email != original.from_email
            or message.subject != original.subject
            or message.cc
            or message.extra_headers.keys() - {"Message-ID"}
            or (message.body, message.alternatives, message.attachments) != message.stamped
        ):
            return None
        encoding = message.encoding or settings.DEFAULT_CHARSET
        # In the order of `EmailMessage.message()`.
        headers = [("To", message.to), ("Reply-To", message.reply_to)]
        parts = [self.shared_head]
        for name, addresses in headers:
            if addresses:
                parts.append(_header(name, ", ".join(str(a) for a in addresses), encoding))
        parts.append(_header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME), encoding))
        message_id = message.extra_headers.get("Message-ID") or make_msgid(domain=DNS_NAME)
        parts.append(_header("Message-ID", message_id, encoding))
        parts.append(b"\r\n")
        for literal, leaf in zip(self.literals, message.leaves, strict=False):
            parts.append(literal)
            parts.append(leaf)
        parts.append(self.literals[-1])
        return b"".join(parts)

    # --- Making the frame ---------------------------------------------------------------

    def _frame(self, delivery: Delivery, keys: Sequence[str]) -> None:
        token = secrets.token_hex(8)
        stand_in = copy.copy(delivery)
        stand_in.to_name = f"Nm{token}"
        stand_in.to_email = f"em{token}@frame.invalid"
        markers = {f"Vl{token}x{n}x": key for n, key in enumerate(keys)}
        message = self.build(stand_in, {key: marker for marker, key in markers.items()})
        if type(message) is not _Message:
            raise _Unframeable(f"a {type(message).__name__} is not a message_build message")
        if (
            message.cc
            or message.bcc
            or message.reply_to
            or message.extra_headers
            or getattr(message, "related", None)
            or not message.body
            or not all(isinstance(attachment, tuple) for attachment in message.attachments)
        ):
            raise _Unframeable("its layout is more than text, alternatives and attachments")
        self.message = message
        markers.update({stand_in.to_name: "name", stand_in.to_email: "email"})

        tree = message.message()
        data = tree.as_bytes(linesep="\r\n")
        self.boundaries = [part.get_boundary() for part in tree.walk() if part.is_multipart()]
        head, _blank, body = data.partition(b"\r\n\r\n")
        self.shared_head = _shared_head(head + b"\r\n")

        calendar = None
        if self.calendar_line is not None:
            calendar = self.calendar_line(stand_in).decode()
        contents = [
            (message.body, f"text/{message.content_subtype}"),
            *((alternative.content, alternative.mimetype) for alternative in message.alternatives),
            *((attachment.content, attachment.mimetype) for attachment in message.attachments),
        ]
        leaves = [part for part in tree.walk() if not part.is_multipart()]
        if len(leaves) != len(contents):
            raise _Unframeable("its MIME parts are not its contents")
        self.pieces, self.content_is_bytes, self.leaf_encoders, self.literals = [], [], [], []
        cursor = 0
        for (content, mimetype), leaf in zip(contents, leaves, strict=True):
            encode = _leaf_encoder(leaf["Content-Transfer-Encoding"], isinstance(content, bytes))
            text = content.decode() if isinstance(content, bytes) else content
            written = encode(text)
            start = body.find(written, cursor) if written is not None else -1
            if start < 0:
                raise _Unframeable(f"its {mimetype} part is not written the way the frame expects")
            self.literals.append(body[cursor:start])
            cursor = start + len(written)
            self.pieces.append(_pieces(text, markers, mimetype == "text/html", calendar))
            self.content_is_bytes.append(isinstance(content, bytes))
            self.leaf_encoders.append(encode)
        self.literals.append(body[cursor:])

    def _prove(self, delivery: Delivery, keys: Sequence[str]) -> None:
        """Stamp a made-up recipient and compare with the message built for them."""
        seven_bit = any(encode is _seven_bit for encode in self.leaf_encoders)
        check = copy.copy(delivery)
        check.to_name = _CHECK_NAMES[1 if seven_bit else 0]
        check.to_email = _CHECK_EMAIL
        values = {key: _CHECK_VALUE.format(key=key) for key in keys}
        stamped = self._stamp(check, values)
        if stamped is None:
            raise _Unframeable("the frame cannot represent its check recipient")
        built = self.build(check, values)
        for message in (stamped, built):
            message.reply_to = [_CHECK_REPLY_TO]
            message.extra_headers["Message-ID"] = _CHECK_MESSAGE_ID
        tree = built.message()
        multiparts = [part for part in tree.walk() if part.is_multipart()]
        for part, boundary in zip(multiparts, self.boundaries, strict=True):
            part.set_boundary(boundary)
        expected = _DATE_LINE.sub(b"Date: -\r\n", tree.as_bytes(linesep="\r\n"))
        got = _DATE_LINE.sub(b"Date: -\r\n", stamped.message().as_bytes(linesep="\r\n"))
        if got != expected:
            at = next(
                (n for n, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
                min(len(got), len(expected)),
            )
            raise _Unframeable(
                f"the stamped check message differs from the built one at byte {at}: "
                f"{got[max(0, at - 40) : at + 40]!r} instead of "
                f"{expected[max(0, at - 40) : at + 40]!r}"
            )


class _Stamped(_Message):
    """A message stamped from a frame; sends the frame's bytes."""

    frame: MessageFrame
    stamped: tuple
    leaves: list[bytes]

    def message(self):
        data = self.frame.flatten(self)
        if data is None:
            return super().message()
        return _FlatMessage(data, super().message)


class _FlatMessage:
    """What `message()` gives for a stamped message: its SMTP bytes, ready. Anything
    else (other line endings, reading a header…) builds the MIME tree the usual way."""

    def __init__(self, data: bytes, tree: Callable):
        self._data = data
        self._build_tree = tree
        self._tree = None

    def _full(self):
        if self._tree is None:
            self._tree = self._build_tree()
        return self._tree

    def as_bytes(self, unixfrom=False, linesep="\n"):
        if linesep == "\r\n" and not unixfrom:
            return self._data
        return self._full().as_bytes(unixfrom=unixfrom, linesep=linesep)

    def __getattr__(self, name):
        return getattr(self._full(), name)

    def __getitem__(self, name):
        return self._full()[name]

    def __contains__(self, name):
        return name in self._full()


def _header(name: str, value: str, encoding: str) -> bytes:
    """A header line exactly as Django's message and the email generator write it.

    Most are short lines of printable ASCII (the Date, the Message-ID, most To), which
    Django leaves as they are and the generator has nothing to fold or encode in: those
    are written directly, at a fraction of the cost (`tests/bench/README.md`).
    """
    line = f"{name}: {value}"
    if (
        len(line) <= _FOLD_AT
        and line.isascii()
        and line.isprintable()
        and value == value.strip()
        and "  " not in value
    ):
        return line.encode() + b"\r\n"
    return _SMTP.fold_binary(*forbid_multi_line_headers(name, value, encoding))


def _shared_head(head: bytes) -> bytes:
    """The header lines every recipient shares, from a built message's head."""
    fields: list[bytes] = []
    for line in head.split(b"\r\n")[:-1]:
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line + b"\r\n"
        else:
            fields.append(line + b"\r\n")
    names = [field.split(b":", 1)[0].lower() for field in fields]
    shared = len(_SHARED_HEADERS)
    if tuple(names[:shared]) != _SHARED_HEADERS or not set(names[shared:]) <= set(_OWN_HEADERS):
        raise _Unframeable(f"its headers are not the ones expected: {names}")
    return b"".join(fields[:shared])


def _eight_bit(text: str) -> bytes | None:
    # Templates end lines with "\n" alone: then a replace does what the generator's
    # pattern does, at a third of its cost per part of every message.
    if "\r" in text:
        data = _NEWLINES.sub("\r\n", text).encode()
    else:
        data = text.replace("\n", "\r\n").encode()
    if len(data) > _LINE_LIMIT and max(map(len, data.split(b"\r\n"))) > _LINE_LIMIT:
        return None
    return data


def _seven_bit(text: str) -> bytes | None:
    return _eight_bit(text) if text.isascii() else None


def _base64(text: str) -> bytes:
    return base64.encodebytes(text.encode()).replace(b"\n", b"\r\n")


def _leaf_encoder(transfer_encoding: str | None, is_bytes: bool) -> Callable:
    """How a part's content becomes the bytes the email generator writes."""
    if transfer_encoding == "8bit" and not is_bytes:
        return _eight_bit
    if transfer_encoding == "7bit" and not is_bytes:
        return _seven_bit
    if transfer_encoding == "base64" and is_bytes:
        return _base64
    raise _Unframeable(f"a part is sent as {transfer_encoding}")


def _pieces(text: str, markers: dict[str, str], html: bool, calendar: str | None) -> list:
    """`text` as literal strings and slots: ("name",), ("email:html",), ("calendar",)…"""
    pieces: list = []
    chunks = text.split(calendar) if calendar else [text]
    pattern = re.compile("|".join(re.escape(marker) for marker in markers))
    suffix = ":html" if html else ""
    for n, chunk in enumerate(chunks):
        if n:
            pieces.append(("calendar",))
        position = 0
        for found in pattern.finditer(chunk):
            pieces.append(chunk[position : found.start()])
            pieces.append((markers[found.group()] + suffix,))
            position = found.end()
        pieces.append(chunk[position:])
    return [piece for piece in pieces if piece != ""]

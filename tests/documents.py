"""Files of each accepted type (and impostors), and documents made through the service."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from meetings.models import Document
from meetings.services.documents import document_create

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
HTML = b"<html><script>alert(1)</script></html>"


def zip_of(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in entries:
            package.writestr(name, content)
    return buffer.getvalue()


ODT = zip_of(
    [
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", b"<office:document-content/>"),
    ]
)
DOCX = zip_of([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")])
PPTX = zip_of([("[Content_Types].xml", b"<Types/>"), ("ppt/presentation.xml", b"<p/>")])
PLAIN_ZIP = zip_of([("notes.txt", b"hello")])


def upload(content: bytes = PDF, name: str = "slides.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def document_make(meeting=None, *, content: bytes = PDF, name: str = "slides.pdf", **data):
    data.setdefault("title_fr", "Diaporama de la plénière")
    data.setdefault("title_nl", "Presentatie van de plenaire")
    data.setdefault("kind", Document.Kind.SLIDES)
    data.setdefault("language", Document.Language.BOTH)
    data.setdefault("visibility", Document.Visibility.PUBLIC)
    return document_create(file=upload(content, name), meeting=meeting, **data)

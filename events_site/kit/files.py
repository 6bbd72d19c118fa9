"""What a file is, read from its first bytes and, for office files, its zip directory.

A name or a browser's Content-Type says what the sender claims; an "report.pdf" that is
an HTML page would be served to every visitor as our own. Only the content counts.
"""

import zipfile
from typing import IO

ODF_PREFIX = "application/vnd.oasis.opendocument."
# The part an OOXML package keeps its main document in, and what that package is.
OOXML_PARTS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ZIP_MAGIC = b"PK\x03\x04"
# The mimetype entry of an ODF package is short; a longer one is not an ODF package.
ODF_MIMETYPE_MAX = 100


def sniff_content_type(file: IO[bytes]) -> str | None:
    """The type of `file` (a seekable binary file), or None when it is none of PDF, PNG,
    JPEG, an ODF package (its `mimetype` entry) or an OOXML package (its
    `[Content_Types].xml` and main part). Leaves the file at its start."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(ZIP_MAGIC):
        try:
            return _office_type(file)
        finally:
            file.seek(0)
    return None


def _office_type(file: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(file) as package:
            names = package.namelist()
            if names and names[0] == "mimetype":
                info = package.getinfo("mimetype")
                if info.file_size <= ODF_MIMETYPE_MAX:
                    mimetype = package.read("mimetype").decode("ascii", "replace").strip()
                    if mimetype.startswith(ODF_PREFIX):
                        return mimetype
            if "[Content_Types].xml" in names:
                for prefix, mimetype in OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return mimetype
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, NotImplementedError):
        return None
    return None

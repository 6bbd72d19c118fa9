"""What a file is, by its content (events_site/kit/files.py)."""

import io

import pytest

from events_site.kit.files import sniff_content_type
from tests.documents import DOCX, JPEG, ODT, PDF, PLAIN_ZIP, PNG, PPTX, zip_of

XLSX = zip_of([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<w/>")])
ODS = zip_of([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")])
# An OpenDocument's mimetype entry must come first; elsewhere it proves nothing.
MIMETYPE_LATE = zip_of([("a.txt", b"x"), ("mimetype", b"application/vnd.oasis.opendocument.text")])
MIMETYPE_FOREIGN = zip_of([("mimetype", b"text/html")])
CONTENT_TYPES_ALONE = zip_of([("[Content_Types].xml", b"<Types/>")])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (ODT, "application/vnd.oasis.opendocument.text"),
        (ODS, "application/vnd.oasis.opendocument.spreadsheet"),
        (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (PPTX, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (PLAIN_ZIP, None),
        (MIMETYPE_LATE, None),
        (MIMETYPE_FOREIGN, None),
        (CONTENT_TYPES_ALONE, None),
        (b"PK\x03\x04 not really a zip", None),
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_a_file_is_what_its_content_says(content, expected):
    file = io.BytesIO(content)
    file.seek(3)

    assert sniff_content_type(file) == expected
    assert file.tell() == 0

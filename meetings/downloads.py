"""The one way a document's file leaves the site, whichever page let the visitor in.

Every download is answered by the site, after the visibility check of the view that
calls this: a stored file has no public address, on the disk or in the bucket.
"""

from django.http import FileResponse
from django.utils.cache import patch_cache_control

from .models import Document

# Public documents may sit in browsers and shared caches for a week: a change of
# visibility or of file reaches every cache within that time (README, Decisions).
PUBLIC_MAX_AGE_S = 7 * 24 * 3600
# Opened in the browser; office files are saved instead.
SHOWN_INLINE = frozenset({"application/pdf", "image/png", "image/jpeg"})


def document_response(document: Document, *, shared: bool = True) -> FileResponse:
    """The file, cached by anyone when it is public and `shared` (its address carries
    no secret); otherwise by nobody."""
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=document.content_type not in SHOWN_INLINE,
        filename=document.filename,
    )
    if shared and document.visibility == Document.Visibility.PUBLIC:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE_S)
    else:
        patch_cache_control(response, private=True, no_store=True)
        response.headers["X-Robots-Tag"] = "noindex"
    return response

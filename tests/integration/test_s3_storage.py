"""STORAGE_URL=s3://…: documents and booklets go to an S3-compatible server, here moto's
standalone server started on a free port, in a process of its own, by the test."""

import socket
import subprocess
import sys
import time
import urllib.request

import boto3
import pytest
from django.test import Client

from events_site.kit.storage import storage_from_url
from reports.models import BookletJob
from reports.services import booklet_build, booklet_payload, booklet_request
from tests.documents import HTML, PDF, upload

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

BUCKET = "proximity-files"
REGION = "eu-west-3"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - moto's own server module
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("moto's S3 server did not start")
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_from_url(
            f"s3://test-key:test-secret@{BUCKET}/site?endpoint={s3_endpoint}&region={REGION}"
        ),
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_documents_are_uploaded_downloaded_and_deleted_through_the_bucket(
    bucket, api_client, meeting, organiser, django_capture_on_commit_callbacks
):
    form = {"title_fr": "Diaporama", "kind": "slides", "language": "fr", "visibility": "members"}
    refused = api_client.post(
        f"/api/meetings/{meeting.pk}/documents", {**form, "file": upload(HTML, "x.pdf")}
    )
    assert refused.status_code == 415
    assert _keys(bucket) == []

    created = api_client.post(
        f"/api/meetings/{meeting.pk}/documents", {**form, "file": upload(PDF, "slides.pdf")}
    )
    assert created.status_code == 201, created.json()
    [key] = _keys(bucket)
    assert key.startswith("site/documents/")
    assert key.endswith("/slides.pdf")
    # Private objects: the bucket serves nobody without a signature.
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{bucket.meta.endpoint_url}/{BUCKET}/{key}", timeout=5)  # noqa: S310

    browser = Client()
    browser.force_login(organiser)
    download = browser.get(created.json()["url"].replace("/en/", "/fr/"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"
    assert Client().get(created.json()["url"]).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        deleted = api_client.delete(f"/api/documents/{created.json()['id']}")
    assert deleted.status_code == 204
    assert _keys(bucket) == []


def test_booklets_are_stored_in_the_bucket(bucket, meeting):
    job, _started = booklet_request(meeting, BookletJob.Language.FR)
    booklet_build(job.pk)

    keys = _keys(bucket)
    # The PDF and its editable copies, side by side.
    assert sorted(key.rsplit(".", 1)[1] for key in keys) == ["docx", "odt", "pdf"]
    assert all(key.startswith(f"site/booklets/{meeting.pk}/") for key in keys)
    assert booklet_payload(meeting, "fr").startswith(b"%PDF-")

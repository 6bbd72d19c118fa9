"""STORAGE_URL read into Django's STORAGES entry (events_site/kit/storage.py)."""

import pytest

from events_site.kit.storage import StorageUrlError, storage_from_url


def test_nothing_set_is_the_folder_in_var():
    assert storage_from_url("") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_file_url_is_that_folder():
    entry = storage_from_url("file:///srv/proximity%20files")

    assert entry["OPTIONS"] == {"location": "/srv/proximity files"}


def test_an_s3_url_names_bucket_prefix_endpoint_region_and_keys():
    entry = storage_from_url(
        "s3://AKIA%2B1:s%2Fecret@docs-bucket/site/files"
        "?endpoint=https://s3.example.net&region=fr-par"
    )

    assert entry["BACKEND"] == "storages.backends.s3.S3Storage"
    assert entry["OPTIONS"] == {
        "bucket_name": "docs-bucket",
        "location": "site/files",
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
        "access_key": "AKIA+1",
        "secret_key": "s/ecret",
        "endpoint_url": "https://s3.example.net",
        "addressing_style": "path",
        "region_name": "fr-par",
    }


def test_aws_itself_needs_no_endpoint_nor_keys():
    options = storage_from_url("s3://docs-bucket?region=eu-west-3")["OPTIONS"]

    assert "endpoint_url" not in options and "access_key" not in options
    assert options["region_name"] == "eu-west-3"


@pytest.mark.parametrize("url", ["ftp://host/files", "s3://?endpoint=http://x", "/var/files"])
def test_anything_else_is_refused_at_start_with_the_reason(url):
    with pytest.raises(StorageUrlError):
        storage_from_url(url)

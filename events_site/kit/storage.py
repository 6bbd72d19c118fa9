"""Where uploaded and generated files live, from one `STORAGE_URL`.

Empty: a folder under `var/` (`MEDIA_ROOT`), enough for one server. `s3://…`: an
S3-compatible object store through django-storages, which several app servers and
workers share (`DESIGN.md`, "Scaling out").
"""

from urllib.parse import parse_qs, unquote, urlsplit

FILESYSTEM = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


class StorageUrlError(ValueError):
    pass


def storage_from_url(url: str) -> dict:
    """The `STORAGES["default"]` entry for `url`:

    - `""`: the folder `MEDIA_ROOT`;
    - `file:///srv/files`: that folder;
    - `s3://[key:secret@]bucket[/prefix]?endpoint=https://…&region=…&addressing_style=path`:
      the bucket, under `prefix`; without key and secret, boto3 finds credentials where it
      always does (`AWS_ACCESS_KEY_ID`…, an instance role).
    """
    if not url:
        return dict(FILESYSTEM)
    parts = urlsplit(url)
    if parts.scheme == "file":
        return {**FILESYSTEM, "OPTIONS": {"location": unquote(parts.path)}}
    if parts.scheme != "s3":
        raise StorageUrlError(f"STORAGE_URL must start with s3:// or file://, not {url!r}")
    if not parts.hostname:
        raise StorageUrlError("STORAGE_URL names no bucket: s3://bucket?endpoint=…")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    options = {
        "bucket_name": parts.hostname,
        "location": parts.path.strip("/"),
        # Two uploads with one name get two names, as on the filesystem.
        "file_overwrite": False,
        # Objects stay private: every download goes through the site's checks.
        "default_acl": None,
        "querystring_auth": True,
    }
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    if "endpoint" in query:
        options["endpoint_url"] = query["endpoint"]
        # Most S3-compatible servers (MinIO, Garage, moto) serve buckets as paths.
        options["addressing_style"] = query.get("addressing_style", "path")
    elif "addressing_style" in query:
        options["addressing_style"] = query["addressing_style"]
    if "region" in query:
        options["region_name"] = query["region"]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}

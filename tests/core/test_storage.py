import boto3
import pytest
import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

pytestmark = pytest.mark.skipif(
    not settings.AWS_STORAGE_BUCKET_NAME, reason="the suite runs on local files (no S3 server)"
)


def test_uploaded_files_go_to_a_private_s3_bucket():
    name = default_storage.save("cases/prueba.txt", ContentFile(b"contenido privado"))
    options = settings.STORAGES["default"]["OPTIONS"]
    s3 = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name=options["region_name"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
    )
    stored = s3.get_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=name)
    assert stored["Body"].read() == b"contenido privado"

    grants = s3.get_object_acl(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=name)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants), grants  # no AllUsers grant

    url = default_storage.url(name)
    assert "X-Amz-Signature" in url or "Signature=" in url
    assert requests.get(url, timeout=5).content == b"contenido privado"
    default_storage.delete(name)

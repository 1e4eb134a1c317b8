"""A request body larger than the portal accepts is refused before a byte of it is read."""

import pytest

MB = 1024 * 1024


class Body:
    """A request body that counts what the portal reads of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = b"x" * (min(size, 64 * 1024) if size > 0 else 64 * 1024)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def post(client, path: str, megabytes: int, body: Body):
    return client.generic(
        "POST",
        path,
        b"",
        content_type="multipart/form-data; boundary=limite",
        CONTENT_LENGTH=str(megabytes * MB),
        **{"wsgi.input": body},
    )


@pytest.mark.django_db
def test_a_150_mb_anonymous_post_is_refused_unread(client):
    body = Body()
    response = post(client, "/verificar/", 150, body)
    assert response.status_code == 413
    assert body.read_bytes == 0
    page = " ".join(response.content.decode().split())
    assert "Lo que enviaste es demasiado grande" in page
    assert "como máximo 11 MB" in page


@pytest.mark.django_db
def test_logged_in_people_may_send_more_but_not_without_limit(client, resident, settings):
    settings.REQUEST_MAX_MB = 100
    client.force_login(resident)
    body = Body()
    assert post(client, "/mis-tramites/", 101, body).status_code == 413
    assert body.read_bytes == 0

    anonymous_limit_exceeded = post(client, "/verificar/", 12, Body())
    assert anonymous_limit_exceeded.status_code != 413  # read, then judged by the form

"""The Redis cache keeps one redis-py client per connection pool (core.redis_cache)."""

import socket

import pytest

from core.redis_cache import RedisCache

# A database the test suite never takes for its broker (1-15), and keys of this test only.
LOCATION = "redis://127.0.0.1:6379/0"


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_one_client_serves_every_operation():
    cache = RedisCache(LOCATION, {})
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("any-key") is client


@pytest.mark.skipif(not redis_answers(), reason="needs Redis on 127.0.0.1:6379")
def test_values_go_and_come_back():
    cache = RedisCache(LOCATION, {"KEY_PREFIX": "tramites-test-redis-cache"})
    try:
        cache.set("entry", {"perms": frozenset({"a.b"})}, 30)
        assert cache.get_many(["entry", "missing"]) == {"entry": {"perms": frozenset({"a.b"})}}
        assert not cache.add("entry", 1, 30)
    finally:
        cache.delete("entry")

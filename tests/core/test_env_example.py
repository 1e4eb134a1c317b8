import re

from django.conf import settings


def test_every_environment_variable_read_by_settings_is_documented():
    source = (settings.BASE_DIR / "config" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z0-9_]+)"', source))
    documented = set(
        re.findall(r"^([A-Z0-9_]+)=", (settings.BASE_DIR / ".env.example").read_text(), re.M)
    )
    assert read, "no variables found: the pattern no longer matches settings.py"
    assert read - documented == set()


# What several machines need set (docs/deployment.md, "Running on several machines"), and
# how its example value must start: every machine reaches the same database, cache, broker
# and bucket (never a local file or per-process memory). None: may be left empty.
MULTI_MACHINE = {
    "DATABASE_URL": "postgres://",
    "DATABASE_REPLICA_URL": None,
    "DATABASE_CONN_MAX_AGE": "",
    "DATABASE_PREPARED_STATEMENTS": "",
    "CACHE_URL": "redis://",
    "CELERY_BROKER_URL": "redis://",
    "AWS_STORAGE_BUCKET_NAME": "",
    "TRUSTED_PROXY_COUNT": "",
    "SITE_URL": "https://",
}


def test_every_setting_several_machines_need_is_in_env_example_and_explained():
    example = (settings.BASE_DIR / ".env.example").read_text()
    values = dict(re.findall(r"^([A-Z0-9_]+)=(.*)$", example, re.M))
    deployment = (settings.BASE_DIR / "docs" / "deployment.md").read_text()
    for name, start in MULTI_MACHINE.items():
        assert name in values, f"{name} is missing from .env.example"
        if start is not None:
            assert values[name].startswith(start) and values[name] != "", (
                f".env.example: {name}={values[name]!r}, not a shared {start or 'value'}"
            )
        assert name in deployment, f"docs/deployment.md does not say what {name} is for"

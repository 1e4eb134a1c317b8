"""`manage.py check --deploy` under production-like environments, in a fresh process."""

from .production import REPO, SIGNING_SETTINGS, manage, production_env


def _check_deploy(env: dict[str, str]):
    return manage("check", "--deploy", "--fail-level", "WARNING", env=env)


def test_check_deploy_is_clean_with_production_settings(collected_static):
    result = _check_deploy(production_env(STATIC_ROOT=str(collected_static)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_wants_static_files_collected(tmp_path):
    result = _check_deploy(production_env(STATIC_ROOT=str(tmp_path)))
    assert result.returncode != 0
    assert "core.E001" in result.stderr
    assert "Missing staticfiles manifest entry for 'favicon.svg'" in result.stderr
    assert "collectstatic" in result.stderr


def test_production_settings_refuse_to_start_without_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = _check_deploy(env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_refuses_the_demo_signing_keys(collected_static):
    env = production_env(STATIC_ROOT=str(collected_static))
    for name in SIGNING_SETTINGS:
        del env[name]
    result = _check_deploy(env)
    assert result.returncode != 0
    assert "documents.E001" in result.stderr
    assert "No signing key is configured" in result.stderr

    result = _check_deploy({**env, "SIGNING_DEMO_PKI": "1"})  # asking for it changes nothing
    assert "documents.E001" in result.stderr


def test_check_deploy_refuses_demo_plugins_and_names_each(collected_static):
    env = production_env(
        STATIC_ROOT=str(collected_static),
        SIGNING_OFFICIAL_BACKEND="pkcs12-pin",
        PAYABLES_EXPORTER="demo-csv",
    )
    result = _check_deploy(env)
    assert result.returncode != 0
    for plugin in ("officials' signer 'pkcs12-pin'", "bank file format 'demo-csv'"):
        assert plugin in result.stderr, result.stderr


def test_check_deploy_wants_the_public_address(collected_static):
    env = production_env(STATIC_ROOT=str(collected_static))
    del env["SITE_URL"]
    result = _check_deploy(env)
    assert result.returncode != 0
    assert "core.E120" in result.stderr
    result = _check_deploy({**env, "SITE_URL": "http://tramites.municipio.gob.ar"})
    assert "core.E121" in result.stderr


def test_check_deploy_wants_services_every_machine_shares(collected_static):
    env = production_env(STATIC_ROOT=str(collected_static))
    del env["CACHE_URL"]
    del env["CELERY_BROKER_URL"]
    result = _check_deploy(env)
    assert result.returncode != 0
    assert "core.E122" in result.stderr and "CACHE_URL" in result.stderr
    assert "core.E123" in result.stderr and "CELERY_BROKER_URL" in result.stderr


def test_env_example_configures_what_several_machines_need():
    """docs/deployment.md: shared database, cache, broker and file storage."""
    example = dict(
        line.split("=", 1)
        for line in (REPO / ".env.example").read_text().splitlines()
        if line and not line.startswith("#") and "=" in line
    )
    for name, shared in {
        "DATABASE_URL": "postgres://",
        "CACHE_URL": "redis://",
        "CELERY_BROKER_URL": "redis://",
    }.items():
        assert example.get(name, "").startswith(shared), name
    assert example.get("AWS_STORAGE_BUCKET_NAME"), "files must live in the bucket, not on a disk"

from pathlib import Path

import pytest

from .production import manage, production_env


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """Static files collected as at deploy time: production settings, manifest storage."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    result = manage("collectstatic", "--no-input", env=production_env(STATIC_ROOT=str(static_root)))
    assert result.returncode == 0, result.stdout + result.stderr
    return static_root

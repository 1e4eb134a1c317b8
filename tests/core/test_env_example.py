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

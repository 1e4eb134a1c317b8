"""The portal's settings plus one benchmark-only URL, and cache keys named after the database.

The trivial view must be served by the same gunicorn, middleware stack and
settings as the pages it is compared with, yet must never ship in the
portal's own URLconf; swapping ROOT_URLCONF here is the only difference that
matters. The other: runs on their own database copies share one Redis, so each run's
cache keys carry its database's name.
"""

from config.settings import *  # noqa: F403 - the portal's settings, unchanged

ROOT_URLCONF = "benchmarks.urls"

CACHES["default"]["KEY_PREFIX"] = DATABASES["default"]["NAME"]  # noqa: F405

"""The portal's settings plus one benchmark-only URL.

The trivial view must be served by the same gunicorn, middleware stack and
settings as the pages it is compared with, yet must never ship in the
portal's own URLconf; swapping ROOT_URLCONF here is the only difference.
"""

from config.settings import *  # noqa: F403 - the portal's settings, unchanged

ROOT_URLCONF = "benchmarks.urls"

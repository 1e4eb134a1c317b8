"""All settings, read from the environment in this one place.

With no environment at all (``make run``) the portal runs embedded: SQLite,
Celery tasks executed eagerly, files on disk under ``var/``, mail on the
console. Production sets the variables documented in ``.env.example``.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))


def _development_secret_key() -> str:
    """A random key kept under var/ so sessions survive restarts of `make run`."""
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address: the one source of links in e-mails (account ones too) and on signed
# documents. `make run` sets it from PORT; `check --deploy` refuses a local one.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
MUNICIPALITY_NAME = env.str("MUNICIPALITY_NAME", default="Municipalidad de Villa Demo")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "viewflow",
    "viewflow.workflow",
    "core",
    "accounts",
    "procedures",
    "documents",
    "payments",
    "suppliers",
    "payables",
    "notices",
    "open311",
    "ivr",
    "appointments",
    "anymail",
    "contact",
    "indicators",
    "rates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SpanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "open311.middleware.Open311BodyLimitMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.ActionRefusedMiddleware",
    "accounts.middleware.EmployeeMfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
_parallel_workers = env.str("DATABASE_PARALLEL_WORKERS", default="")
if _parallel_workers and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Parallel plans for a page's 25 rows wait for workers to start, on the CPUs the web
    # processes need: docs/performance.md measured a 25-row queue page at 230 ms parallel.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={int(_parallel_workers)}"
    )
if DATABASES["default"]["ENGINE"].endswith("postgresql") and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    # Values sent apart from the query text (server-side binding), and a query run 5 times
    # on a kept connection prepared: PostgreSQL then plans it once for all values when that
    # plan is as good (core.literals), instead of on every request. A pooler in transaction
    # mode that does not keep prepared statements needs it off (docs/deployment.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several threads (runserver, Celery eager tasks) share the file: wait, don't fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
_replica_url = env.str("DATABASE_REPLICA_URL", default="")
if _replica_url:
    # A streaming replica for read-only aggregate pages (core.db_routing), same options.
    DATABASES["replica"] = {
        **env.db_url("DATABASE_REPLICA_URL"),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.db_routing.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, locks, sessions, permissions) -----------------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://portal")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same, without a new redis-py client for every operation (core.redis_cache).
    CACHES["default"]["BACKEND"] = "core.redis_cache.RedisCache"
_per_process_cache = CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
# Sessions are read from the cache and written through to the database, so a restart of
# Redis loses none (it only costs a query per session, once).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's (logging in by e-mail); the first answers every permission.
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
# Each user's permissions kept in the cache (accounts.permission_cache), unless the cache is
# per process (`make run`): a change made by another process would go unseen there.
ACCOUNTS_PERMISSION_CACHE = not _per_process_cache
# Logged-in pages kept whole in the cache until what they show changes (core.privatepages),
# likewise only with a shared cache; PRIVATE_PAGE_CACHE=0 renders every page (the benchmark
# measures both ways).
PRIVATE_PAGE_CACHE = env.bool("PRIVATE_PAGE_CACHE", default=not _per_process_cache)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{MUNICIPALITY_NAME}] "
ACCOUNT_RATE_LIMITS_ENABLED = True  # allauth's defaults: login, signup, reset, confirm...
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"  # rate limits per visitor (TRUSTED_PROXY_COUNT)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = MUNICIPALITY_NAME

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English")), ("it", _("Italian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Argentina/Buenos_Aires"
USE_I18N = True
USE_TZ = True
CURRENCY = "ARS"

# --- Static and media ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "core.staticfiles.PortalAppDirectoriesFinder",
]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files are private: no MEDIA_URL route exists; views stream them after a check.
# Uploads beyond this size go to a temporary file; form fields beyond that are refused.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request body accepted from someone logged in (core.middleware); the TLS
# proxy's client_max_body_size should say the same.
REQUEST_MAX_MB = env.int("REQUEST_MAX_MB", default=100)

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _private_storage,
    "staticfiles": {
        # Hashed, compressed names need `collectstatic`; development serves files as they are.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tramites@municipalidad.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Operations", a) for a in env.list("ADMINS", default=[])]

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"  # never contacted: tasks run in the calling process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TIMEZONE = TIME_ZONE

# --- Signed documents (documents app) ------------------------------------------------
# Embedded default: a demo PKI created on first use under SIGNING_DEMO_DIR (seal, officials'
# key files, TSA, trust roots). Production names a real seal key, tokens and trust roots.
SIGNING_DEMO_DIR = Path(env.str("SIGNING_DEMO_DIR", default=str(VAR_DIR / "signing")))
# Off (the default unless DEBUG): nothing is ever signed or verified with the demo PKI, and
# `check --deploy` reports a missing key as an error (documents.E001).
SIGNING_DEMO_PKI = env.bool("SIGNING_DEMO_PKI", default=DEBUG)
SIGNING_SEAL_BACKEND = env.str("SIGNING_SEAL_BACKEND", default="pkcs12")
SIGNING_SEAL_PKCS12_PATH = env.str("SIGNING_SEAL_PKCS12_PATH", default="")
SIGNING_SEAL_PKCS12_PASSWORD = env.str("SIGNING_SEAL_PKCS12_PASSWORD", default="")
SIGNING_OFFICIAL_BACKEND = env.str("SIGNING_OFFICIAL_BACKEND", default="pkcs12-pin")
SIGNING_PKCS11_MODULE = env.str("SIGNING_PKCS11_MODULE", default="")
SIGNING_SEAL_PKCS11_TOKEN = env.str("SIGNING_SEAL_PKCS11_TOKEN", default="")
SIGNING_SEAL_PKCS11_KEY = env.str("SIGNING_SEAL_PKCS11_KEY", default="")
SIGNING_SEAL_PKCS11_PIN = env.str("SIGNING_SEAL_PKCS11_PIN", default="")
SIGNING_CA_CHAIN = env.str("SIGNING_CA_CHAIN", default="")
SIGNING_TRUST_ROOTS_DIR = env.str("SIGNING_TRUST_ROOTS_DIR", default="")
SIGNING_REVOCATION_FETCH = env.bool("SIGNING_REVOCATION_FETCH", default=False)
SIGNING_TSA_URL = env.str("SIGNING_TSA_URL", default="")
SIGNING_TSA_TIMEOUT = env.int("SIGNING_TSA_TIMEOUT", default=10)
# Wrong PINs in a row after which an official's signing is locked, and for how long.
SIGNING_PIN_MAX_ATTEMPTS = env.int("SIGNING_PIN_MAX_ATTEMPTS", default=5)
SIGNING_PIN_LOCK_MINUTES = env.int("SIGNING_PIN_LOCK_MINUTES", default=30)

# --- Open311 --------------------------------------------------------------
# Claims with lat/long outside this box (south, west, north, east in degrees) are refused.
OPEN311_BOUNDS = tuple(
    Decimal(value)
    for value in env.list("OPEN311_BOUNDS", default=["-35.00", "-58.80", "-34.40", "-58.20"])
)
if len(OPEN311_BOUNDS) != 4:
    raise ImproperlyConfigured("OPEN311_BOUNDS is south,west,north,east")

# --- Phone menu (Twilio Voice) ----------------------------------------------
# Twilio signs every webhook with the account's auth token; without it every request is refused.
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")

# --- Security ---------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies of ours in front of gunicorn that append the address they saw to X-Forwarded-For
# (core.clientip): rate limits count per visitor, not per proxy. 0: the header is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Links in e-mails use the scheme the site is served with.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SECURE_SSL_REDIRECT else "http"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Pages load scripts, styles, fonts and images from the portal only, and run no inline
# script or style; the TOTP set-up page shows its QR code as a data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Suppliers and payments ---------------------------------------------------------
# The municipality's CUIT: the buyer on suppliers' invoices and the debtor of payments.
MUNICIPALITY_CUIT = env.str("MUNICIPALITY_CUIT", default="30999999995")
# The account supplier payments leave from, as the bank file states it.
PAYABLES_DEBTOR_CBU = env.str("PAYABLES_DEBTOR_CBU", default="")
PAYABLES_DEBTOR_BIC = env.str("PAYABLES_DEBTOR_BIC", default="")
# The municipality is VAT exempt (IVA exento): it receives vouchers B or C, never A or M.
MUNICIPALITY_VAT_EXEMPT = env.bool("MUNICIPALITY_VAT_EXEMPT", default=True)
# VAT rates (%) Argentine law allows on invoices in pesos; other rates are held.
SUPPLIERS_VAT_RATES = env.list("SUPPLIERS_VAT_RATES", default=["0", "2.5", "5", "10.5", "21", "27"])
# Invoices dated more than this many days before they are matched are held (0: never).
SUPPLIERS_INVOICE_MAX_AGE_DAYS = env.int("SUPPLIERS_INVOICE_MAX_AGE_DAYS", default=365) or None
# Currencies the municipality's and the suppliers' accounts take: payments in others are
# refused, never exported.
PAYABLES_CURRENCIES = env.list("PAYABLES_CURRENCIES", default=["ARS"])
# Taxes the municipality withholds from supplier payments as an agent (payables/data/
# withholding_rules.yaml): ganancias (RG 830) and suss (RG 1784) by law; iva only if
# nominated; iibb where the province names it; municipal if it has its own rate.
PAYABLES_WITHHOLDING_TAXES = env.list("PAYABLES_WITHHOLDING_TAXES", default=["ganancias", "suss"])
# Checking Argentine invoices with AFIP (suppliers.afip): "afip-wscdc" or "demo".
SUPPLIERS_AFIP_CHECKER = env.str(
    "SUPPLIERS_AFIP_CHECKER", default="demo" if DEBUG else "afip-wscdc"
)
# The municipality's AFIP certificate and key (PEM), authorised for the service wscdc.
AFIP_CERT_PATH = env.str("AFIP_CERT_PATH", default="")
AFIP_KEY_PATH = env.str("AFIP_KEY_PATH", default="")
# Homologation by default; production: https://wsaa.afip.gov.ar/ws/services/LoginCms and
# https://servicios1.afip.gov.ar/WSCDC/service.asmx
AFIP_WSAA_URL = env.str(
    "AFIP_WSAA_URL", default="https://wsaahomo.afip.gov.ar/ws/services/LoginCms"
)
AFIP_WSCDC_URL = env.str("AFIP_WSCDC_URL", default="https://wswhomo.afip.gov.ar/WSCDC/service.asmx")
AFIP_TIMEOUT = env.int("AFIP_TIMEOUT", default=20)
# Looking suppliers up in AFIP's taxpayer register (suppliers.afip): "afip-padron-a5" or
# "demo". The certificate must also be authorised for ws_sr_constancia_inscripcion.
SUPPLIERS_AFIP_REGISTER = env.str(
    "SUPPLIERS_AFIP_REGISTER", default="demo" if DEBUG else "afip-padron-a5"
)
# Production: https://aws.afip.gov.ar/sr-padron/webservices/personaServiceA5
AFIP_PADRON_URL = env.str(
    "AFIP_PADRON_URL",
    default="https://awshomo.afip.gov.ar/sr-padron/webservices/personaServiceA5",
)
# A supplier is paid only if AFIP's register found it active at most this long ago.
SUPPLIERS_AFIP_REGISTER_MAX_AGE_HOURS = env.int("SUPPLIERS_AFIP_REGISTER_MAX_AGE_HOURS", default=24)
# Separation of duties: may the employee who creates a payment batch also approve it?
PAYABLES_CREATOR_MAY_APPROVE = env.bool("PAYABLES_CREATOR_MAY_APPROVE", default=False)
# Separation of duties: a supplier's new bank account (CBU) needs two accounts payable
# employees' approvals, neither the one who entered it; 0 lets one approval do (small offices).
SUPPLIERS_BANK_CHANGE_TWO_APPROVERS = env.bool("SUPPLIERS_BANK_CHANGE_TWO_APPROVERS", default=True)
# Bank file format (payables.exporters): "pain.001.001.09" (remittance as free text),
# "pain.001.001.09-strd" (structured remittance, for banks that take it) or "demo-csv".
PAYABLES_EXPORTER = env.str("PAYABLES_EXPORTER", default="pain.001.001.09")
# Payments: the online provider ("mercadopago"; "demo" is a local checkout page, DEBUG only),
# Mercado Pago's credentials and API address (a local fake in the tests), days to pay an order.
PAYMENTS_ONLINE_PROVIDER = env.str(
    "PAYMENTS_ONLINE_PROVIDER", default="demo" if DEBUG else "mercadopago"
)
MERCADOPAGO_ACCESS_TOKEN = env.str("MERCADOPAGO_ACCESS_TOKEN", default="")
MERCADOPAGO_WEBHOOK_SECRET = env.str("MERCADOPAGO_WEBHOOK_SECRET", default="")
MERCADOPAGO_API_URL = env.str("MERCADOPAGO_API_URL", default="https://api.mercadopago.com")
PAYMENTS_ORDER_DAYS = env.int("PAYMENTS_ORDER_DAYS", default=10)
# The company code the cash networks (Pago Fácil, Rapipago) assigned: first 4 barcode digits.
PAYMENTS_CASH_COMPANY_CODE = env.str("PAYMENTS_CASH_COMPANY_CODE", default="0999")
# Fees are collected through the portal (a case with a fee waits for it, or its output does).
# Off, fees are charged outside the portal, as before payments existed.
PAYMENTS_COLLECT_FEES = env.bool("PAYMENTS_COLLECT_FEES", default=True)
# Days a supplier user invitation stays valid.
SUPPLIER_INVITATION_DAYS = env.int("SUPPLIER_INVITATION_DAYS", default=14)

# --- Contact centre ------------------------------------------------------------------
# WhatsApp Business Cloud API: "cloud-api" (Meta's Graph API) or "demo" (nothing is sent).
CONTACT_WHATSAPP_BACKEND = env.str(
    "CONTACT_WHATSAPP_BACKEND", default="demo" if DEBUG else "cloud-api"
)
WHATSAPP_API_URL = env.str("WHATSAPP_API_URL", default="https://graph.facebook.com/v23.0")
WHATSAPP_PHONE_NUMBER_ID = env.str("WHATSAPP_PHONE_NUMBER_ID", default="")
WHATSAPP_ACCESS_TOKEN = env.str("WHATSAPP_ACCESS_TOKEN", default="")
WHATSAPP_APP_SECRET = env.str("WHATSAPP_APP_SECRET", default="")
WHATSAPP_VERIFY_TOKEN = env.str("WHATSAPP_VERIFY_TOKEN", default="")
# Who sends the one-time code that confirms a resident's phone: "whatsapp" (the contact
# centre's WhatsApp connection, an authentication template) or "demo" (the server's log).
ACCOUNTS_PHONE_CODE_SENDER = env.str(
    "ACCOUNTS_PHONE_CODE_SENDER", default="demo" if DEBUG else "whatsapp"
)
# The approved "authentication" template (a code and Meta's copy-code button) that carries
# the one-time code confirming a resident's phone number.
WHATSAPP_VERIFICATION_TEMPLATE = env.str(
    "WHATSAPP_VERIFICATION_TEMPLATE", default="codigo_verificacion"
)
# Inbound e-mail through django-anymail: the ESP whose inbound webhook is mounted at
# /anymail/<esp>/inbound/, and the basic-auth "user:password" it must send.
CONTACT_EMAIL_INBOUND_ESP = env.str("CONTACT_EMAIL_INBOUND_ESP", default="postmark")
ANYMAIL = {"WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default="") or None}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

"""One settings module, driven by the environment.

With nothing set it runs the zero-setup demo: SQLite under var/, eager Celery,
console e-mail, DEBUG on. Production sets DEBUG=false, SECRET_KEY, DATABASE_URL,
ALLOWED_HOSTS and CELERY_BROKER_URL.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

# A development key is only acceptable while DEBUG is on.
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz")
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "backoffice.apps.BackofficeConfig",
    "orders",
    "inventory",
    "documents",
    "billing",
    "contracts",
    "reports",
    "web",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backoffice.api.http_errors.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "backoffice.idempotency.IdempotencyMiddleware",
    # Last: turns a login refused for too many failures into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "web.context_processors.shell",
            ],
        },
    },
]

WSGI_APPLICATION = "backoffice.wsgi.application"

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: wait for the lock instead of failing, and take it at BEGIN.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("DB_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": env.int("DB_PREPARE_THRESHOLD", default=2)}
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# `manage.py backup` / `restore`: the directory of pg_dump and pg_restore (default: PATH, else the
# newest /usr/lib/postgresql/<version>/bin); they must be at least the server's major version.
PG_BIN_DIR = env.str("PG_BIN_DIR", default="")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in: axes refuses a username or an address after AUTH_FAILURE_LIMIT failed
# attempts (admin login and the API token endpoint alike) until AUTH_LOCKOUT_MINUTES
# pass without another failure. Attempts are rows in the database, so every worker
# sees them; a superuser unlocks in the admin (アクセス試行) or `manage.py axes_reset`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AUTH_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AUTH_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "backoffice.authentication.lockout_response"
AXES_CLIENT_IP_CALLABLE = "backoffice.authentication.client_ip"
# Behind N reverse proxies that each append to X-Forwarded-For, the client is the Nth
# address from the right; 0 means REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_VERBOSE = False

# API tokens (django-rest-knox): stored hashed, expire after API_TOKEN_TTL_HOURS, one per
# sign-in, revoked by the caller (auth/token/revoke/), by an administrator, by a
# password change and by deactivating the user.
KNOX_TOKEN_MODEL = "backoffice.ApiToken"  # noqa: S105 - a model name
# knox's own token table is swapped out for ApiToken, but knox's migrations create it anyway
# (they do not mark it swappable): an unused table whose foreign key to auth_user makes a
# flush (TRUNCATE auth_user) fail. Without its migrations knox creates no table.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24 * 30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# Content-Security-Policy (django-csp): only this site's own files; an inline <script>
# or <style> runs only with the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@localhost")
# Links in e-mails (notifications) start with this address.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

# Celery: with no broker configured, tasks run in-process (eagerly).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://localhost/"  # never used for eager tasks; names a host so kombu need not guess
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery beat (`celery -A backoffice beat`): the daily steps, in Tokyo time.
CELERY_BEAT_SCHEDULE = {
    # Contracts past their term renew (automatic renewal) or expire; then the reminders go out.
    "contracts-daily": {"task": "contracts.tasks.contracts_daily", "schedule": crontab(hour=6, minute=0)},
}

# The default cache holds the API throttle counts. A database table (created by
# `migrate`) by default, so every worker counts together; CACHE_URL=redis://... for Redis.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://backoffice_cache")}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backoffice.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["backoffice.permissions.HasAnyRole"],
    "DEFAULT_PAGINATION_CLASS": "backoffice.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "backoffice.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "backoffice.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "backoffice.api.exception_handler.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATE_FORMAT": "%Y-%m-%d",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("ANON_THROTTLE_RATE", default="120/min")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Sales back-office API",
    "DESCRIPTION": "Orders, quotes, stock, documents, invoices and payments for Japanese B2B sales administration.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI assets from the installed sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `kind` or `status`: name their enums apart in the schema.
    "ENUM_NAME_OVERRIDES": {
        "StockMoveKindEnum": "inventory.models.StockMoveKind",
        "PurchaseOrderStatusEnum": "inventory.models.PurchaseOrderStatus",
        "ContractKindEnum": "contracts.models.ContractKind",
        "ContractEndReasonEnum": "contracts.models.ContractEndReason",
        "DocumentKindEnum": "documents.types.DocumentKind",
    },
}

# Upper bounds that make bad input a clear 400 rather than a surprise later.
LIMITS = {
    "max_lines_per_document": 500,
    "max_quantity": 1_000_000,
    "max_unit_price": 999_999_999,
    "max_amount": 99_999_999_999,
}

# Dates outside these years (inclusive) are refused on every input: a typo such as
# 0089-06-12 must not become an archived document or a closing run.
BUSINESS_YEARS = (env.int("BUSINESS_YEAR_MIN", default=2000), env.int("BUSINESS_YEAR_MAX", default=2099))

IDEMPOTENCY_TTL_HOURS = 24
# How long a request holds its Idempotency-Key before a retry may take it over.
IDEMPOTENCY_LEASE_SECONDS = env.int("IDEMPOTENCY_LEASE_SECONDS", default=60)

# The largest request body accepted (API answers 413 above it): CSV uploads of
# MAX_ROWS orders or statement lines fit well below.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("REQUEST_MAX_BYTES", default=10 * 1024 * 1024)

# Documents: the TrueType font embedded in every PDF (empty: search the usual places,
# IPAex Gothic first) and the number prefixes per document kind ({"invoice": "INV"}).
# Without a TrueType font nothing is issued, unless DOCUMENTS_ALLOW_CID_FONT allows
# reportlab's built-in, not embedded CID font (PDFs that viewers without Japanese fonts show blank).
DOCUMENTS_FONT_PATH = env.str("DOCUMENTS_FONT_PATH", default="")
DOCUMENTS_ALLOW_CID_FONT = env.bool("DOCUMENTS_ALLOW_CID_FONT", default=False)
DOCUMENTS_NUMBER_PREFIXES = env.dict("DOCUMENTS_NUMBER_PREFIXES", default={})

# Contracts: remind of a contract ending or reaching its notice date this many days ahead
# (home page and e-mail); the largest countersigned copy accepted.
CONTRACTS_REMINDER_DAYS = env.int("CONTRACTS_REMINDER_DAYS", default=60)
CONTRACTS_SIGNED_MAX_BYTES = env.int("CONTRACTS_SIGNED_MAX_BYTES", default=10 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # One line per finished task is noise when tasks run in-process (the demo, commands).
    "loggers": {"celery.app.trace": {"level": env.str("CELERY_TRACE_LOG_LEVEL", default="WARNING")}},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True

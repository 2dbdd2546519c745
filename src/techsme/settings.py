"""One settings module, driven by environment variables.

- ``TECHSME_ENV``: ``development`` (default), ``test`` or ``production``.
- ``DATABASE_URL``: e.g. ``postgres://user@127.0.0.1:5432/techsme``; default SQLite under ``var/``.
- ``TECHSME_SECRET_KEY``: required in production (at least 50 characters).
- ``TECHSME_ALLOWED_HOSTS``: comma-separated host names (production).
- ``TECHSME_EMAIL_URL`` style settings are left to later issues; e-mail goes to the console by default.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("TECHSME_HOME", BASE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("TECHSME_VAR_DIR", PROJECT_DIR / "var"))

# Under pytest (which sets PYTEST_VERSION before pytest-django imports these settings) the default is "test".
ENV = os.environ.get("TECHSME_ENV") or ("test" if "PYTEST_VERSION" in os.environ else "development")
PRODUCTION = ENV == "production"
DEBUG = os.environ.get("TECHSME_DEBUG", "0" if PRODUCTION else "1") == "1"

_DEV_KEY = "django-insecure-development-only-key-not-for-production-use-0123456789"
SECRET_KEY = os.environ.get("TECHSME_SECRET_KEY", "" if PRODUCTION else _DEV_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_KEY or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("TECHSME_SECRET_KEY must be set to a random string of at least 50 characters.")

ALLOWED_HOSTS = [h for h in os.environ.get("TECHSME_ALLOWED_HOSTS", "" if PRODUCTION else "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TECHSME_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "ninja",  # the API documentation from our own static files (not a CDN), within the CSP
    "techsme.core",
    "techsme.accounts",
    "techsme.registry",
    "techsme.assessments",
    "techsme.evaluation",
    "techsme.instruments",
    "techsme.vouchers",
    "techsme.incentives",
    "techsme.incubation",
    "techsme.transfer",
    "techsme.finance",
    "techsme.calls",
    "techsme.monitoring",
    "techsme.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the login page with the reason
]

ROOT_URLCONF = "techsme.urls"
WSGI_APPLICATION = "techsme.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

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
                "django.template.context_processors.i18n",
                "techsme.web.context.site",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'techsme.sqlite3'}",
        conn_max_age=int(os.environ.get("TECHSME_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN: check-then-write sequences are serialised.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 30, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "techsme_cache",
    }
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if ENV == "test"
        else "django_tasks_db.DatabaseBackend",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when the folder is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads (filing documents, contracts, photos) are served only through scoped views: never serve MEDIA_ROOT.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
WHITENOISE_USE_FINDERS = not PRODUCTION

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = int(os.environ.get("TECHSME_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
# Spreadsheet imports (core.uploads, techsme.spreadsheets): checked before any cell is parsed.
IMPORT_MAX_ROWS = int(os.environ.get("TECHSME_IMPORT_MAX_ROWS", 50_000))
IMPORT_MAX_COLUMNS = int(os.environ.get("TECHSME_IMPORT_MAX_COLUMNS", 200))
IMPORT_MAX_CELLS = int(os.environ.get("TECHSME_IMPORT_MAX_CELLS", 5_000_000))
IMPORT_MAX_RATIO = int(os.environ.get("TECHSME_IMPORT_MAX_RATIO", 100))  # XLSX part: unpacked / packed size
IMPORT_MAX_UNCOMPRESSED = int(os.environ.get("TECHSME_IMPORT_MAX_UNCOMPRESSED", 256 * 1024 * 1024))
IMPORT_MAX_ERRORS = int(os.environ.get("TECHSME_IMPORT_MAX_ERRORS", 1000))  # listed in a report (all are counted)
IMPORT_INLINE_MAX_BYTES = int(os.environ.get("TECHSME_IMPORT_INLINE_MAX_BYTES", 512 * 1024))  # larger: a job
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

EMAIL_BACKEND = os.environ.get("TECHSME_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("TECHSME_FROM_EMAIL", "techsme@localhost")

# Sign-in throttling (django-axes, see techsme.accounts.signin): failures counted per (username, address) pair;
# the limit locks that pair with a delay that doubles with each lockout of the day; unlocked by time, by the e-mailed
# link, or by a superuser or the user's agency administrator.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("TECHSME_LOGIN_MAX_FAILURES", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "techsme.accounts.signin.cool_off"
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_USERNAME_CALLABLE = "techsme.accounts.signin.normalised_username"
AXES_CLIENT_IP_CALLABLE = "techsme.accounts.signin.client_address"
AXES_LOCKOUT_CALLABLE = "techsme.accounts.signin.lockout_response"
AXES_VERBOSE = False

# Personal API tokens expire: this many days unless the owner chooses otherwise, never more than the maximum.
API_TOKEN_DEFAULT_DAYS = int(os.environ.get("TECHSME_API_TOKEN_DEFAULT_DAYS", "90"))
API_TOKEN_MAX_DAYS = int(os.environ.get("TECHSME_API_TOKEN_MAX_DAYS", "365"))
# Number of reverse proxies in front of the server whose X-Forwarded-For entries are trusted (rate limits by client).
TRUSTED_PROXIES = int(os.environ.get("TECHSME_TRUSTED_PROXIES", "0"))

CSRF_FAILURE_VIEW = "techsme.web.views.errors.csrf_failure"  # a friendly page in the user's language
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp), in every mode so that development and the tests meet what production
# enforces: scripts only from our own static files (no inline <script>, no on…= handlers, no eval); styles may
# still be inline attributes; no framing, no plug-ins, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("TECHSME_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("TECHSME_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

SITE_NAME = _("techsme")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TECHSME_LOG_LEVEL", "INFO" if DEBUG else "WARNING")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

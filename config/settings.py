"""Settings for the recommendation tracker. Every value comes from the environment (see .env.example)."""

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_rate, env_str, load_env_file, weak_secret_key
from config.mail import mailer_from_env
from config.proxy import client_address_settings
from core.csp import SITE_POLICY

# Lets the classes django-stubs types as generic be written so at run time too (ModelAdmin[Region], a class's base).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
load_env_file(env_str("ENV_FILE", str(BASE_DIR / ".env")))  # optional; the real environment wins

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
elif not DEBUG and weak_secret_key(SECRET_KEY):  # Django would only warn (security.W009), and only in check --deploy
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: it needs 50 characters or more, at least 5 of them different, not starting with"
        " 'django-insecure-'. Make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "config.admin.TrackerAdminConfig",  # the admin without its navigation sidebar (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "axes",
    "accounts",
    "inspections",
    "recommendations",
    "reminders",
    "core",  # page layout: context processors, GOV.UK form template tags, admin CSP
    "config.apps.ConfigAppConfig",  # system checks (config/checks.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.middleware.AdminContentSecurityPolicyMiddleware",  # below the CSP middleware: it reads what this sets
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PrivateWhenSignedInMiddleware",  # Cache-Control: private, no-store for signed-in people
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: no middleware above reads a body before it, and its 413 page gets the usual headers and header bar.
    "core.middleware.RequestBodyLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "django.template.context_processors.csp",
    "core.context_processors.service",
    "recommendations.context_processors.notifications",
]
# The app's own pages are Jinja2 templates in templates/ (the syntax of the GOV.UK Design System's examples, and the
# official GOV.UK Frontend macros from govuk-frontend-jinja). Jinja2 comes first so that its registration/*.html
# win over the admin's; the admin and its customisations (<app>/templates/admin/) are Django templates.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "config.templating.environment",
            "context_processors": CONTEXT_PROCESSORS,
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default: a SQLite file under the project
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_validation.NotTheCurrentPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Content Security Policy (core/csp.py): no inline script or style without the per-request nonce.
SECURE_CSP = SITE_POLICY

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email (Django 6.1 mailers) from the EMAIL_* variables: console by default, so that a fresh machine needs no account.
MAILERS = {
    "default": mailer_from_env(
        backend=env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        smtp={
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", default=False),
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        },
        file_path=env_str("EMAIL_FILE_PATH", str(VAR_DIR / "emails")),
    )
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "recommendation-tracker@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Django's own cache: each web worker's own memory unless CACHE_URL names a Redis server (redis://host:6379/1) that all
# workers share. The tracker's own data (the public pages', the figures') goes to the shared cache below.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"CACHE_URL must be a redis://, rediss:// or unix:// URL, not {CACHE_URL!r}")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},  # a lost server must not hang the page
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tracker"}
}

# Parts of pages rendered once and kept in each web worker's own memory until the records change (core/fragments.py):
# HTML depends on the code that made it, so it is never kept where another release could read it.
CACHES["fragments"] = {  # core/fragments.py: FRAGMENTS_CACHE
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 500},
}

# Celery: Redis is the broker; tasks are acknowledged after they finish (see config/celery.py).
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")

# The public pages (no sign-in: recommendations/views/public.py) keep their data, and count each client's requests,
# in a Redis that every web worker shares: CACHE_URL's, else the broker's (its keys are prefixed, so they cannot
# meet Celery's). A count kept per worker would let a client make as many requests again per worker, and a page
# withdrawn in one worker would live on in the others. A Redis that does not answer: fresh reads, no limit, logged.
CACHES["shared"] = {  # core/shared_cache.py: SHARED_CACHE
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": CACHE_URL or REDIS_URL,
    "KEY_PREFIX": "tracker-shared",
    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
}
# The figures of the dashboard and the region pages are kept there too, made afresh by beat this often
# (core/shared_cache.py, config/celery.py); a page reads them up to twice this long after they were made.
FIGURES_REFRESH_SECONDS = env_int("FIGURES_REFRESH_SECONDS", 5 * 60)
if FIGURES_REFRESH_SECONDS < 1:
    raise ImproperlyConfigured(f"FIGURES_REFRESH_SECONDS must be at least 1, not {FIGURES_REFRESH_SECONDS}")
# Beat renews the copy of the comparison keys a new process starts from this often (recommendations/recurrence.py:
# share_keys), well within the copy's hour (SHARED_KEYS_SECONDS), so that no import waits to read all 100,000.
COMPARISON_KEYS_SHARE_SECONDS = 20 * 60
RATELIMIT_USE_CACHE = "shared"
RATELIMIT_FAIL_OPEN = True  # a count the cache lost is no reason to refuse a reader
RATELIMIT_IP_META_KEY = "config.proxy.client_address"  # behind the TLS proxy, the client, not the proxy
# How many public pages one client may ask for: "60/m" (per second, minute, hour or day: s, m, h, d).
PUBLIC_PAGES_RATE_LIMIT = env_rate("PUBLIC_PAGES_RATE_LIMIT", "60/m")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
# Redelivery of an unacknowledged task happens after this; every retry delay stays below it.
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 60 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Tests and separate deployments sharing one Redis give each worker its own queue.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# How long a claim on a reminder digest lasts (reminders/sweep.py): longer than CELERY_TASK_TIME_LIMIT, so a
# digest still being sent is never claimed by a second worker.
REMINDER_SEND_LEASE_SECONDS = env_int("REMINDER_SEND_LEASE_SECONDS", 15 * 60)
# The reminder outbox (reminders/tasks.py): how often beat runs it, the first wait before a digest not sent is
# queued again (doubling with each attempt, at most an hour), how many retries a send task makes itself before it
# leaves the digest to the outbox, and how many digests one task sends over one SMTP connection.
REMINDER_OUTBOX_INTERVAL_SECONDS = env_int("REMINDER_OUTBOX_INTERVAL_SECONDS", 2 * 60)
REMINDER_RETRY_BACKOFF_SECONDS = env_int("REMINDER_RETRY_BACKOFF_SECONDS", 60)
REMINDER_SEND_RETRIES = env_int("REMINDER_SEND_RETRIES", 8)
REMINDER_SEND_BATCH = env_int("REMINDER_SEND_BATCH", 50)

# Request bodies (core/middleware.py): a body declared over this many MB is refused (413) before it is read, so it
# is neither parsed nor written to a temporary file. Evidence files are at most 10 MB; the rest is room for the form
# around one. The proxy in front must refuse larger bodies too (README).
MAX_REQUEST_BODY_MB = env_int("MAX_REQUEST_BODY_MB", 11)
if MAX_REQUEST_BODY_MB < 1:
    raise ImproperlyConfigured(f"MAX_REQUEST_BODY_MB must be at least 1, not {MAX_REQUEST_BODY_MB}")

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# HTTPS behind the TLS proxy (README, "Running in production"): redirect plain HTTP, and tell browsers to use HTTPS
# only (HSTS; subdomains too, and the preload flag, which commits nothing until the domain is submitted).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# The header the proxy sets to "https" (X-Forwarded-Proto), so that Django knows a request came over HTTPS. Only
# with a proxy that always sets it: a client could send it itself otherwise.
_SSL_HEADER = env_str("SECURE_PROXY_SSL_HEADER").strip()
SECURE_PROXY_SSL_HEADER = ("HTTP_" + _SSL_HEADER.upper().replace("-", "_"), "https") if _SSL_HEADER else None
# Reverse proxies in front of the site, whose X-Forwarded-For gives the client's address for the login lock-out
# (config/proxy.py). 0: the connection's own address (REMOTE_ADDR), and the header is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}")
globals().update(client_address_settings(TRUSTED_PROXY_COUNT))  # AXES_IPWARE_* and IPWARE_STRICT

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

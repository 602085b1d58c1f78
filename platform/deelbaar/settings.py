"""Deelbaar's settings, read from the environment and nowhere else.

Without any variables set this is the embedded mode: SQLite in the data folder, the in-memory
channel layer and background jobs run in-process at once. `DATABASE_URL` and `REDIS_URL` switch
to the production stack (PostgreSQL, channels-redis, Celery workers). See README.md for the list.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

env = environ.Env()

PROJECT_DIR = Path(__file__).resolve().parent

# The variables a production deployment must give both the web and the worker processes;
# tests check docker-compose.yml against this list.
PRODUCTION_ENV_VARS = (
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "DEELBAAR_DATA_DIR",
)

BUILTIN_SECRET_KEY = "django-insecure-deelbaar-embedded-mode-only-never-in-production"  # noqa: S105

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=BUILTIN_SECRET_KEY)
if not DEBUG and SECRET_KEY == BUILTIN_SECRET_KEY:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is not set: refusing to start on the built-in key. "
        "Set SECRET_KEY to a long random value."
    )

DATA_DIR = Path(env.str("DEELBAAR_DATA_DIR", default="var")).resolve()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form gets the platform's own page (deelbaar.views.csrf_failure), in Dutch.
CSRF_FAILURE_VIEW = "deelbaar.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "pgtrigger",
    # The second factor: authenticator apps (TOTP) and recovery codes (static tokens).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "deelbaar",
    "cooperative",
    "sprints",
    "solutions",
    "integrations",
    "signin",
    "people",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which second factor, if any, this session passed (user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "deelbaar.middleware.PermissionsPolicyMiddleware",
    # Holds a person who must pass a second factor at it; inside the security headers' middleware.
    "signin.middleware.SecondFactorMiddleware",
    # The page layer (deelbaar.pages): times in the viewer's zone; NotAllowed as the 403 page.
    "deelbaar.pages.TimeZoneMiddleware",
    "deelbaar.pages.PageErrorsMiddleware",
    # Turns a sign-in refused for too many failures into the lockout answer (people/lockout.py);
    # inside the security headers' middleware, so that answer carries them too.
    "axes.middleware.AxesMiddleware",
    # After the session, language and user are known (its 400 page shows them); catches what
    # the views raise and answers errors on /api/ in the API's shape. Last, so the answers it
    # gives itself (a 400 before any view) pass the security headers' middleware too.
    "deelbaar.middleware.RequestGuardMiddleware",
]

ROOT_URLCONF = "deelbaar.urls"
ASGI_APPLICATION = "deelbaar.asgi.application"
WSGI_APPLICATION = "deelbaar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "deelbaar.navigation.main_navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
EMBEDDED_DATABASE = not env.str("DATABASE_URL", default="")
if EMBEDDED_DATABASE:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "deelbaar.sqlite3",
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two writers wait
                # for each other instead of one failing half-way with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
else:
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles any query whose estimated cost passes jit_above_cost: the
    # cooperatives list's reach subquery is estimated high and spent 3.0 of 3.1 s compiling
    # (31-66 ms without). Deelbaar's queries are short OLTP reads; JIT never pays off here.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Under uvicorn Django runs each request's code in a thread of its own, so a connection
    # kept by CONN_MAX_AGE is never reused: every request would open a new one (~8 ms). A
    # pool shared by the process's threads hands connections out instead. It needs
    # CONN_MAX_AGE 0: Django gives a connection back to the pool at the end of each request.
    # DATABASE_POOL_MAX_SIZE=0 turns it off (then CONN_MAX_AGE applies again).
    DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=10)
    if DATABASE_POOL_MAX_SIZE > 0:
        if env.int("CONN_MAX_AGE", default=0) != 0:
            raise ImproperlyConfigured(
                "CONN_MAX_AGE must be 0 with the connection pool; set DATABASE_POOL_MAX_SIZE=0 "
                "to keep connections with CONN_MAX_AGE instead."
            )
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(env.int("DATABASE_POOL_MIN_SIZE", default=2), DATABASE_POOL_MAX_SIZE),
            "max_size": DATABASE_POOL_MAX_SIZE,
            # Seconds a request waits for a free connection before it fails.
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, Celery broker, cache ---------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# The options of the Redis channel layer's connection pools (tests that start a Redis of their
# own use them too).
CHANNEL_LAYER_REDIS_OPTIONS = {
    # redis-py's default pool of 100 connections runs out when a hundred sockets join or leave
    # groups at once in one server process.
    "max_connections": 1000,
    # A pooled connection that Redis closed (a restart, an idle timeout) fails the first command
    # sent on it; without a retry that was the next websocket's handshake (a 500). One retry, at
    # once, on a new connection replaces it; a Redis that is really down still fails at once.
    "retry": Retry(NoBackoff(), 1),
    # channels_redis waits for a message with a blocking pop of 5 s; redis-py 8 stops any read
    # after 5 s unless told otherwise. Every idle websocket's wait then failed with "Timeout
    # reading" (the socket closed with 1011 and the page reconnected), and a closed websocket's
    # wait was sometimes not stopped until that timeout. The pop itself bounds the wait.
    "socket_timeout": None,
}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, **CHANNEL_LAYER_REDIS_OPTIONS}],
                "prefix": env.str("CHANNELS_PREFIX", default="asgi"),
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Embedded mode: a job runs in the calling process as soon as it is queued.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = True
# A running sync renews its lease on the repository every sixth of this (seconds); a sync whose
# lease was not renewed for this long lost its worker, and another sync may take over.
DEELBAAR_SYNC_LEASE_SECONDS = env.int("DEELBAAR_SYNC_LEASE_SECONDS", default=60)
# Beat runs in the worker (docker-compose.yml): webhook deliveries whose retry is due are
# picked up every minute; syncs whose worker died are queued again every half lease, so a
# dead worker's sync runs again at most one and a half leases after its last sign of life.
CELERY_BEAT_SCHEDULE = {
    "deliver-due-webhooks": {"task": "integrations.deliver_due_webhooks", "schedule": 60.0},
    "recover-stalled-syncs": {
        "task": "integrations.recover_stalled_syncs",
        "schedule": DEELBAAR_SYNC_LEASE_SECONDS / 2,
    },
    "clear-expired-sessions": {"task": "deelbaar.clear_expired_sessions", "schedule": 24 * 3600.0},
    # Mails whose retry is due, or whose job was lost (deelbaar/mail.py).
    "send-due-mails": {"task": "deelbaar.send_due_mails", "schedule": 60.0},
    # Deadline and maintenance reminders (each once: notifications/mail.py) every hour; the
    # daily digest at 07:00 (CELERY_TIMEZONE: Europe/Amsterdam).
    "notification-reminders": {"task": "notifications.send_reminders", "schedule": 3600.0},
    "notification-digests": {
        "task": "notifications.send_digests",
        "schedule": crontab(hour=7, minute=0),
    },
}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# A job a worker took but never acknowledged (acks_late: the worker was killed outright) goes
# back to the queue after this many seconds. Longer than any job may run, so a job still
# running is not handed out twice; jobs never wait in a worker longer than half of it (webhook
# retries with a longer wait are left to the beat sweep, see integrations/tasks.py). A job
# whose worker *process* died while the worker lives is handed out again at once
# (task_reject_on_worker_lost).
CELERY_VISIBILITY_TIMEOUT = env.int(
    "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 60
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Queueing a job in a request must fail fast when Redis is away, not hang the request.
    "socket_connect_timeout": 3,
}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Amsterdam"

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in of a locked-out account or address before a password is
    # checked (django-axes; see the brute-force block below).
    "people.backends.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, also taking the e-mail address for the user name.
    "people.backends.EmailOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# "Mijn werk": what awaits the person in each of their roles (deelbaar/work.py).
LOGIN_REDIRECT_URL = "my_work"
LOGOUT_REDIRECT_URL = "home"

# Brute force (django-axes): failed sign-ins on the login page, the admin's and
# /api/v1/auth/token/ are counted per account and, separately, per address. After
# DEELBAAR_LOGIN_FAILURES failures within the cool-off, the next attempt of that account or from
# that address locks it: it and every attempt after it is refused (429), the right password too,
# until DEELBAAR_LOGIN_COOLOFF_MINUTES have passed since that attempt. Attempts refused during the
# lockout do not extend it (else someone retrying now and then would never get in). A successful
# sign-in clears the account's count.
DEELBAAR_LOGIN_FAILURES = env.int("DEELBAAR_LOGIN_FAILURES", default=5)
DEELBAAR_LOGIN_COOLOFF_MINUTES = env.int("DEELBAAR_LOGIN_COOLOFF_MINUTES", default=15)
# How many proxies in front of the web processes append to X-Forwarded-For: the address counted
# is the one the outermost trusted proxy saw. 0: the connection's own address (REMOTE_ADDR).
DEELBAAR_TRUSTED_PROXIES = env.int("DEELBAAR_TRUSTED_PROXIES", default=0)
# axes locks at the failure that reaches its limit; the limit is one more than the failures
# answered normally.
AXES_FAILURE_LIMIT = DEELBAAR_LOGIN_FAILURES + 1
AXES_COOLOFF_TIME = timedelta(minutes=DEELBAAR_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "people.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "people.lockout.client_address"
AXES_USERNAME_CALLABLE = "people.lockout.attempted_username"
# Successful sign-ins are not logged (a write per sign-in); failures are counted.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# API tokens (people.services.tokens): a new personal token lasts this many days unless its
# owner picks another expiry date, at most DEELBAAR_TOKEN_MAX_DAYS ahead.
DEELBAAR_TOKEN_DAYS = env.int("DEELBAAR_TOKEN_DAYS", default=90)
DEELBAAR_TOKEN_MAX_DAYS = env.int("DEELBAAR_TOKEN_MAX_DAYS", default=366)

# --- Languages and time ---------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Sign-in with the organisation's identity provider (OpenID Connect) ------------------
# Off unless a client id and an issuer (or the endpoints) are set; see signin/oidc.py and the
# README. mozilla-django-oidc reads the OIDC_* names below.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
# The issuer's /.well-known/openid-configuration names the endpoints; each may be set instead.
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
# The claim holding the e-mail address, and the one saying the provider verified it (Entra ID:
# the optional claim xms_edov).
OIDC_EMAIL_CLAIM = env.str("OIDC_EMAIL_CLAIM", default="email")
OIDC_EMAIL_VERIFIED_CLAIM = env.str("OIDC_EMAIL_VERIFIED_CLAIM", default="email_verified")
# The name on the login button: "Inloggen met uw account van <name>".
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="")
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = False
OIDC_STORE_ACCESS_TOKEN = False
AUTHENTICATION_BACKENDS += ["signin.oidc.IdentityProviderBackend"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "static")))
if DEBUG:
    # Served straight from the apps' folders, so the embedded mode needs no collectstatic.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
    _staticfiles_backend = "django.contrib.staticfiles.storage.StaticFilesStorage"
else:
    _staticfiles_backend = "whitenoise.storage.CompressedManifestStaticFilesStorage"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media"},
    },
    "staticfiles": {"BACKEND": _staticfiles_backend},
}
MEDIA_URL = "media/"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous request gets 401 with a WWW-Authenticate header.
        # Personal tokens: named, expiring, stored hashed (people/authentication.py).
        "people.authentication.PersonalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "deelbaar.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "deelbaar.api.filters.FilterBackend",
        "deelbaar.api.filters.OrderingFilter",
    ],
    # JSON only: forms cannot carry null, so nullable fields sent that way would be refused.
    # A view that takes a file upload adds the multipart parser itself.
    # Deelbaar's parser keeps nesting, text and integers within what the database and Python
    # can take (deelbaar/input.py).
    "DEFAULT_PARSER_CLASSES": ["deelbaar.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "deelbaar.api.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "deelbaar.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Deelbaar API",
    "DESCRIPTION": "Cooperatives, sprints, the solutions library and integrations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Separate request and response components (FooRequest, Foo): a generated client then
    # neither sends read-only fields nor waits for write-only ones.
    "COMPONENT_SPLIT_REQUEST": True,
    # Several apps have fields called kind, role, state or status with choices of their own;
    # naming those enums keeps every name in the schema stable and unambiguous.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "cooperative.models.OrganisationKind",
        "MembershipRoleEnum": "cooperative.models.MembershipRole",
        "ItemKindEnum": "sprints.models.ItemKind",
        "ItemStatusEnum": "sprints.models.ItemStatus",
        "BoardStatusEnum": "sprints.api.serializers.BOARD_STATUS_CHOICES",
        "SprintStateEnum": "sprints.models.SprintState",
        "TeamRoleEnum": "sprints.models.TeamRole",
        "AdoptionStateEnum": "solutions.models.AdoptionState",
        "PublicationStateEnum": "solutions.models.PublicationState",
        "IncrementStateEnum": "sprints.models.IncrementState",
        "SyncStateEnum": "integrations.models.SyncState",
        "DeliveryStateEnum": "integrations.models.DeliveryState",
        "TokenStatusEnum": "people.api.tokens.TOKEN_STATUSES",
        "AccessRequestStateEnum": "people.models.AccessRequestState",
        "OrganisationRoleEnum": "cooperative.models.OrganisationRole",
        "InvitationTeamRoleEnum": "people.models.InvitationTeamRole",
        "InvitationStatusEnum": "people.api.serializers.INVITATION_STATUSES",
        "NotificationKindEnum": "notifications.models.Kind",
        "NotificationChannelEnum": "notifications.models.Channel",
    },
}

# --- Security (production) ------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health checks come from inside the stack over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content-Security-Policy (django-csp 4): scripts and styles only from our own static files (no
# inline script or style anywhere; htmx's indicator styles are in deelbaar.css). Images may
# come from https: too (screenshots named in a solution's publiccode.yml). The API's docs
# pages (Swagger UI, ReDoc) start themselves with inline scripts and carry no user content.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs/", "/api/v1/redoc/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        # 'self' covers the websockets (ws:, wss:) of the same host.
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features no page of Deelbaar uses, switched off for every page and any frame in it.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Deelbaar -------------------------------------------------------------------------------
# Integrations: the hosts git repositories and outgoing webhooks may reach, so the platform
# cannot be made to fetch from or post to arbitrary internal addresses. Exact host names, or
# ".example.org" for a domain and its subdomains. Empty: none.
DEELBAAR_ALLOWED_REMOTE_HOSTS = env.list(
    "DEELBAAR_ALLOWED_REMOTE_HOSTS",
    default=["github.com", "gitlab.com", "codeberg.org", ".gitlab.com"],
)
# Local paths as repositories: on by default in the embedded mode (the demo's repository lives
# in the data folder), off in production unless asked for.
DEELBAAR_GIT_ALLOW_LOCAL_PATHS = env.bool("DEELBAAR_GIT_ALLOW_LOCAL_PATHS", default=DEBUG)
# Where the bare mirrors of linked repositories are kept.
DEELBAAR_GIT_MIRRORS_DIR = DATA_DIR / "git"
# A git command that takes longer is stopped (seconds).
DEELBAAR_GIT_TIMEOUT = env.int("DEELBAAR_GIT_TIMEOUT", default=120)
# DEELBAAR_SYNC_LEASE_SECONDS is set beside CELERY_BEAT_SCHEDULE, whose sweep it paces.
# A push hook whose signed body was received before within this many seconds is a replay (a
# captured request sent again, perhaps with a new delivery id) and is ignored.
DEELBAAR_HOOK_REPLAY_WINDOW = env.int("DEELBAAR_HOOK_REPLAY_WINDOW", default=7 * 24 * 3600)

# /healthz shows what failed and why only to administrators and to callers sending this value
# in the X-Health-Token header (a monitoring system's); everyone else reads "ok"/"unavailable".
# Empty: no token is accepted.
DEELBAAR_HEALTH_TOKEN = env.str("DEELBAAR_HEALTH_TOKEN", default="")

# --- E-mail ---------------------------------------------------------------------------------
# EMAIL_URL as django-environ reads it: smtp://user:password@host:587 (smtp+tls:// for
# STARTTLS, smtp+ssl:// for TLS from the start), consolemail://, or filemail:///absolute/folder.
# Unset: every mail is written as a file under DEELBAAR_DATA_DIR/mail (the embedded mode's
# default; `deelbaar demo` says so). Mails are sent by background jobs (deelbaar/mail.py).
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    _email = env.email_url_config(EMAIL_URL)
    if _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
        # filemail:///var/mail/x means the absolute folder /var/mail/x (environ drops the slash).
        _email["EMAIL_FILE_PATH"] = str(Path("/" + _email["EMAIL_FILE_PATH"]).resolve())
    _email.pop("OPTIONS", None)
    globals().update({key: value for key, value in _email.items() if value is not None})
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
# A mail server that does not answer must not hold a worker for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Seconds to wait before each retry of a mail that failed (deelbaar/mail.py): one attempt
# more than there are waits.
DEELBAAR_MAIL_BACKOFF = tuple(
    env.list("DEELBAAR_MAIL_BACKOFF", cast=int, default=[30, 2 * 60, 10 * 60, 3600, 6 * 3600])
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Deelbaar <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The address people reach the site at, for links in mails (which are sent without a request).
DEELBAAR_BASE_URL = env.str("DEELBAAR_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The sections of "Mijn werk", each app's own (deelbaar/work.py says what a module provides).
DEELBAAR_WORK_SECTIONS = [
    "sprints.work",
    "cooperative.work",
    "solutions.work",
    "people.work",
]

# Demo loaders run in this order by `deelbaar demo`; each app adds its own.
DEELBAAR_DEMO_LOADERS = [
    "deelbaar.demo.load",
    "cooperative.demo.load",
    # After the coordinators exist: enrols their second factor.
    "signin.demo.load",
    "sprints.demo.load",
    "solutions.demo.load",
    "integrations.demo.load",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

"""Every Herald setting, read from the environment in one place."""

from __future__ import annotations

import json
import os
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any, overload
from urllib.parse import urlsplit

# Environments that may run on the development defaults below; any other NOTIFY_ENVIRONMENT (production, staging,
# preview, a typo) is deployed and refuses to start without its own secrets.
DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "test"})
# Development values of secrets: never good enough outside DEVELOPMENT_ENVIRONMENTS.
DEVELOPMENT_DEFAULTS = {
    "SECRET_KEY": "dev-secret-key-change-me-in-production",
    "ADMIN_CLIENT_SECRET": "dev-admin-secret-change-me-before-production",
    "MMG_API_KEY": "mmg-secret-key",
    "FIRETEXT_API_KEY": "firetext-secret-key",
    "FIRETEXT_INTERNATIONAL_API_KEY": "firetext-international-key",
    "INBOUND_SMS_BASIC_AUTH_USERNAME": "herald",
    "INBOUND_SMS_BASIC_AUTH_PASSWORD": "dev-inbound-password",
    "RECIPIENT_SEARCH_KEY": "dev-recipient-search-key-change-me",
    "OPS_SECRET_KEY": "dev-ops-secret-key-change-me-in-production",
    "DVLA_API_PASSWORD": "dvla-dev-password",
    "DVLA_API_KEY": "dvla-dev-api-key",
}
# Settings a deployed Herald must be given (besides those above, which must differ from their development values).
REQUIRED_OUTSIDE_DEVELOPMENT = (
    "DATABASE_URL",
    "ENCRYPTION_KEYS",
    "RECEIPT_BASIC_AUTH_USERNAME",
    "RECEIPT_BASIC_AUTH_PASSWORD",
    "SNS_TOPIC_ARNS",
    "DVLA_API_BASE_URL",
)
_DEV = DEVELOPMENT_DEFAULTS  # short alias keeps the settings table readable


class ConfigurationError(RuntimeError):
    """A deployed environment lacks a secret or keeps a development value; the message names every such setting."""


@overload
def _env(name: str, default: str) -> str: ...


@overload
def _env(name: str, default: None = None) -> str | None: ...


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_int_between(name: str, default: int, low: int, high: int) -> int:
    value = _env_int(name, default)
    if not low <= value <= high:
        raise RuntimeError(f"{name} must be from {low} to {high}, not {value}")
    return value


def _env_float(name: str, default: float) -> float:
    return float(_env(name, str(default)))


def _env_letter_rates(name: str) -> dict[str, float]:
    raw = json.loads(_env(name) or "{}")
    if not isinstance(raw, dict) or not all(isinstance(value, int | float) for value in raw.values()):
        raise ConfigurationError(f"{name} must be a JSON object of prices")
    return {str(key): float(value) for key, value in raw.items()}


def _env_bool(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (_env(name, default) or "").split(",") if item.strip()]


def _env_networks(name: str, default: str = "") -> tuple[IPv4Network | IPv6Network, ...]:
    """Comma-separated CIDR networks (`127.0.0.0/8,::1/128`); a malformed one stops the start-up."""
    return tuple(ip_network(item) for item in _env_list(name, default))


def sqlalchemy_url(database_url: str) -> str:
    """Point a plain ``postgresql://`` URL at the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    return database_url


def celery_broker_url(redis_url: str) -> str:
    """Celery spells a Redis unix socket ``redis+socket://``; redis-py spells it ``unix://``."""
    if redis_url.startswith("unix://"):
        parts = urlsplit(redis_url)
        return f"redis+socket://{parts.path}"
    return redis_url


def _base_settings() -> dict[str, Any]:
    """Settings shared by every environment; each is overridden by the environment variable of its name."""
    settings: dict[str, Any] = {}
    s = settings  # short alias keeps the table below readable
    s["NOTIFY_ENVIRONMENT"] = _env("NOTIFY_ENVIRONMENT", "development")
    s["GIT_COMMIT"] = _env("GIT_COMMIT", "unknown")

    # Flask
    s["SECRET_KEY"] = _env("SECRET_KEY", _DEV["SECRET_KEY"])
    s["JSON_SORT_KEYS"] = False
    s["MAX_CONTENT_LENGTH"] = _env_int("MAX_CONTENT_LENGTH", 60 * 1024 * 1024)

    # Encryption at rest (Fernet keys, comma separated, newest first). Derived from SECRET_KEY when unset.
    s["ENCRYPTION_KEYS"] = _env_list("ENCRYPTION_KEYS")

    # Database and Redis (set by the embedded launcher when not given)
    s["DATABASE_URL"] = _env("DATABASE_URL")
    s["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(s["DATABASE_URL"]) if s["DATABASE_URL"] else None
    s["SQLALCHEMY_ENGINE_OPTIONS"] = {
        # As many kept connections as threads that may query at once (a worker has 16 or 32): a pool smaller than that
        # closes each surplus connection on return and opens a new one on the next checkout, and every new
        # PostgreSQL backend costs a fork and a cold catalogue cache (`make bench`: 1.3 ms of PostgreSQL CPU per
        # notification). The pool opens connections only when they are needed, so a 4-thread API process keeps 4.
        "pool_size": _env_int("DATABASE_POOL_SIZE", 32),
        "max_overflow": _env_int("DATABASE_MAX_OVERFLOW", 10),
        # A ping costs a round trip on every checkout (a third of the API's database time). Without it a connection
        # the server dropped fails the one statement that finds out, SQLAlchemy then discards the whole pool, and the
        # next checkout reconnects (the API's INSERT of a new notification retries once on a fresh connection, so a
        # send is not refused for it; a receipt is queued instead); pool_recycle keeps connections younger than
        # server or proxy idle timeouts.
        "pool_pre_ping": _env_bool("DATABASE_POOL_PRE_PING", False),
        "pool_recycle": _env_int("DATABASE_POOL_RECYCLE_SECONDS", 300),
        # Bound parameters are recipients and personalisation: never in an error's text, so never in a log.
        "hide_parameters": True,
    }
    s["SQLALCHEMY_TRACK_MODIFICATIONS"] = False
    s["REDIS_URL"] = _env("REDIS_URL")
    s["REDIS_ENABLED"] = _env_bool("REDIS_ENABLED", True)
    s["REDIS_SOCKET_TIMEOUT_SECONDS"] = _env_float("REDIS_SOCKET_TIMEOUT_SECONDS", 0.5)

    # Celery
    s["CELERY_BROKER_URL"] = _env("CELERY_BROKER_URL") or (
        celery_broker_url(s["REDIS_URL"]) if s["REDIS_URL"] else None
    )
    s["CELERY_QUEUE_PREFIX"] = _env("CELERY_QUEUE_PREFIX", "")
    # Longer than the longest countdown (5 minutes) so an unacknowledged message is never redelivered early.
    s["CELERY_VISIBILITY_TIMEOUT_SECONDS"] = _env_int("CELERY_VISIBILITY_TIMEOUT_SECONDS", 310 + 60)
    # Messages each worker process reserves beyond the one it runs (times its concurrency).
    s["CELERY_PREFETCH_MULTIPLIER"] = _env_int("CELERY_PREFETCH_MULTIPLIER", 4)
    s["AWS_REGION"] = _env("AWS_REGION", "eu-west-1")
    s["AWS_ACCESS_KEY_ID"] = _env("AWS_ACCESS_KEY_ID")
    s["AWS_SECRET_ACCESS_KEY"] = _env("AWS_SECRET_ACCESS_KEY")

    # Public URLs
    s["API_HOST_NAME"] = _env("API_HOST_NAME", "http://127.0.0.1:6011")
    s["NOTIFY_EMAIL_DOMAIN"] = _env("NOTIFY_EMAIL_DOMAIN", "notifications.herald.example")
    # Where a service's settings are managed; named in the refusal of a file sent by email (Notify's own by default).
    s["ADMIN_BASE_URL"] = _env("ADMIN_BASE_URL", "https://www.notifications.service.gov.uk")

    # Files sent by email: where their links point (Herald's own download page), where their sealed content is kept
    # (an S3 bucket when DOCUMENTS_BUCKET is set, else a local directory), and how many wrong email addresses a
    # document's page takes within DOCUMENT_CONFIRM_ATTEMPT_WINDOW_SECONDS before it refuses for the rest of it.
    s["DOCUMENT_DOWNLOAD_BASE_URL"] = _env("DOCUMENT_DOWNLOAD_BASE_URL", s["API_HOST_NAME"])
    s["DOCUMENTS_BUCKET"] = _env("DOCUMENTS_BUCKET")
    s["DOCUMENTS_S3_ENDPOINT_URL"] = _env("DOCUMENTS_S3_ENDPOINT_URL")
    s["DOCUMENTS_DIRECTORY"] = _env(
        "DOCUMENTS_DIRECTORY", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".data", "documents")
    )
    s["DOCUMENT_CONFIRM_MAX_ATTEMPTS"] = _env_int("DOCUMENT_CONFIRM_MAX_ATTEMPTS", 10)
    s["DOCUMENT_CONFIRM_ATTEMPT_WINDOW_SECONDS"] = _env_int("DOCUMENT_CONFIRM_ATTEMPT_WINDOW_SECONDS", 3600)

    # Authentication
    s["ADMIN_CLIENT_ID"] = _env("ADMIN_CLIENT_ID", "herald-admin")
    s["ADMIN_CLIENT_SECRET"] = _env("ADMIN_CLIENT_SECRET", _DEV["ADMIN_CLIENT_SECRET"])
    s["API_KEY_CACHE_SECONDS"] = _env_float("API_KEY_CACHE_SECONDS", 10.0)
    s["TOKEN_CLOCK_SKEW_SECONDS"] = 30
    # How long a send may trust its in-process copies of templates and senders (a template change shows within this).
    s["SEND_CACHE_SECONDS"] = _env_float("SEND_CACHE_SECONDS", 5.0)

    # Limits
    s["API_RATE_LIMIT_DEFAULT"] = _env_int("API_RATE_LIMIT_DEFAULT", 3000)
    s["RATE_LIMIT_INTERVAL_SECONDS"] = 60
    s["DEFAULT_SMS_DAILY_LIMIT"] = _env_int("DEFAULT_SMS_DAILY_LIMIT", 250_000)
    s["DEFAULT_EMAIL_DAILY_LIMIT"] = _env_int("DEFAULT_EMAIL_DAILY_LIMIT", 250_000)
    s["DEFAULT_INTERNATIONAL_SMS_DAILY_LIMIT"] = _env_int("DEFAULT_INTERNATIONAL_SMS_DAILY_LIMIT", 100)
    s["TRIAL_DAILY_LIMIT"] = _env_int("TRIAL_DAILY_LIMIT", 50)
    s["API_PAGE_SIZE"] = 250
    # What one SMS fragment costs, for `cost_in_pounds` in the v2 API (billable units × rate multiplier × rate).
    s["SMS_RATE_POUNDS"] = _env_float("SMS_RATE_POUNDS", 0.0227)
    # Free SMS fragments a service gets per financial year when none was set for it (`annual_billing`); 250,000 is
    # the figure GOV.UK Notify started with (FREE_SMS_TIER_FRAGMENT_COUNT, 2017).
    s["DEFAULT_FREE_SMS_FRAGMENT_LIMIT"] = _env_int("DEFAULT_FREE_SMS_FRAGMENT_LIMIT", 250_000)

    # Providers
    s["MMG_URL"] = _env("MMG_URL", "https://api.mmg.co.uk/jsonv2a/api.php")
    s["MMG_API_KEY"] = _env("MMG_API_KEY", _DEV["MMG_API_KEY"])
    s["MMG_RECEIPT_URL"] = _env("MMG_RECEIPT_URL")
    s["FIRETEXT_URL"] = _env("FIRETEXT_URL", "https://www.firetext.co.uk/api/sendsms/json")
    s["FIRETEXT_API_KEY"] = _env("FIRETEXT_API_KEY", _DEV["FIRETEXT_API_KEY"])
    s["FIRETEXT_INTERNATIONAL_API_KEY"] = _env("FIRETEXT_INTERNATIONAL_API_KEY", _DEV["FIRETEXT_INTERNATIONAL_API_KEY"])
    s["FIRETEXT_RECEIPT_URL"] = _env("FIRETEXT_RECEIPT_URL")
    s["SES_ENDPOINT_URL"] = _env("SES_ENDPOINT_URL")
    s["PROVIDER_TIMEOUT_SECONDS"] = _env_float("PROVIDER_TIMEOUT_SECONDS", 10.0)
    s["SMS_PROVIDER_RESTING_POINTS"] = {"mmg": 51, "firetext": 49}
    s["SMS_PROVIDER_ERROR_THRESHOLD"] = _env_int("SMS_PROVIDER_ERROR_THRESHOLD", 50)
    s["SMS_PROVIDER_ERROR_INTERVAL_SECONDS"] = _env_int("SMS_PROVIDER_ERROR_INTERVAL_SECONDS", 60)
    s["FROM_NUMBER"] = _env("FROM_NUMBER", "HERALD")

    # Receipts
    s["RECEIPT_BASIC_AUTH_USERNAME"] = _env("RECEIPT_BASIC_AUTH_USERNAME")
    s["RECEIPT_BASIC_AUTH_PASSWORD"] = _env("RECEIPT_BASIC_AUTH_PASSWORD")
    s["INBOUND_SMS_BASIC_AUTH_USERNAME"] = _env(
        "INBOUND_SMS_BASIC_AUTH_USERNAME", _DEV["INBOUND_SMS_BASIC_AUTH_USERNAME"]
    )
    s["INBOUND_SMS_BASIC_AUTH_PASSWORD"] = _env(
        "INBOUND_SMS_BASIC_AUTH_PASSWORD", _DEV["INBOUND_SMS_BASIC_AUTH_PASSWORD"]
    )
    s["SNS_TRUSTED_CERT_URL_PREFIXES"] = _env_list("SNS_TRUSTED_CERT_URL_PREFIXES")
    s["SNS_MAX_MESSAGE_AGE_SECONDS"] = _env_int("SNS_MAX_MESSAGE_AGE_SECONDS", 3600)
    s["SNS_TOPIC_ARNS"] = _env_list("SNS_TOPIC_ARNS")

    # Delivery safety nets
    # How often beat runs the two safety nets below, and how long past due (its retry time, else its creation) a
    # `created` notification is queued again: a killed worker's notifications go out within about a minute and a
    # half, on every broker, long before Redis hands its messages back (CELERY_VISIBILITY_TIMEOUT_SECONDS).
    s["DELIVERY_SAFETY_NET_INTERVAL_SECONDS"] = _env_float("DELIVERY_SAFETY_NET_INTERVAL_SECONDS", 15)
    s["REQUEUE_CREATED_AFTER_SECONDS"] = _env_float("REQUEUE_CREATED_AFTER_SECONDS", 60)
    s["SENDING_TIMEOUT_SECONDS"] = _env_int("SENDING_TIMEOUT_SECONDS", 72 * 3600)
    # A `sending` claim with no provider answer recorded after this long belongs to a dead worker: longer than the
    # slowest provider call (PROVIDER_TIMEOUT_SECONDS to connect plus as much to answer; no client retries itself).
    s["SENDING_CLAIM_LEASE_SECONDS"] = _env_int("SENDING_CLAIM_LEASE_SECONDS", 60)
    # A send that got no answer (read timeout after sending, hang-up, 500) may have been taken: its notification waits
    # this long for the provider's receipt before it is sent again. At most the 5-minute retry countdown that
    # CELERY_VISIBILITY_TIMEOUT_SECONDS is sized for; 0 sends again at once, as GOV.UK Notify does.
    s["AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS"] = _env_int_between("AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS", 180, 0, 300)
    s["DELIVERY_SAFETY_NET_BATCH_SIZE"] = _env_int("DELIVERY_SAFETY_NET_BATCH_SIZE", 1000)
    s["DEFAULT_DATA_RETENTION_DAYS"] = 7

    # Bulk jobs and retention
    s["JOB_BATCH_SIZE"] = _env_int("JOB_BATCH_SIZE", 2000)  # rows inserted (and committed) per statement
    # An `in progress` job whose processor has not finished a batch for this long is resumed by another worker.
    s["JOB_STALLED_AFTER_MINUTES"] = _env_float("JOB_STALLED_AFTER_MINUTES", 10)
    s["RETENTION_BATCH_SIZE"] = _env_int("RETENTION_BATCH_SIZE", 10_000)  # notifications moved per statement
    # The bulk-lane feeder (app/jobs/bulk_feeder.py) keeps each bulk queue at about this many waiting rows: enough
    # for the bulk workers never to run dry between two feeds, few enough that a new job's rows wait behind little.
    s["BULK_FEED_QUEUE_DEPTH"] = _env_int_between("BULK_FEED_QUEUE_DEPTH", 300, 10, 100_000)
    # Rows per batch deliver task the feeder publishes (at most app/delivery/queueing.py's MAX_DELIVER_BATCH, 50). A
    # batch costs a worker a fraction of the CPU per row of single tasks, but the messages a bulk worker prefetches are
    # whole batches: rows held by workers = processes x threads x prefetch multiplier x this, all ahead of a new job.
    s["BULK_FEED_BATCH_SIZE"] = _env_int_between("BULK_FEED_BATCH_SIZE", 10, 1, 50)
    # How often the feeder looks at the queues while rows wait, and how long one feeder task runs before it queues
    # its successor (beat starts one this often too, should every successor be lost).
    s["BULK_FEED_INTERVAL_SECONDS"] = _env_float("BULK_FEED_INTERVAL_SECONDS", 0.25)
    s["BULK_FEED_RUN_SECONDS"] = _env_float("BULK_FEED_RUN_SECONDS", 10.0)
    # The largest `bulk_share_weight` a service may be given: its jobs get up to this many rows of the bulk lane for
    # each row of a service at the default weight of 1.
    s["BULK_SHARE_WEIGHT_MAX"] = _env_int_between("BULK_SHARE_WEIGHT_MAX", 100, 1, 10_000)

    # Support search (admin API): recipients are found by an HMAC-SHA256 of their normalised form under this key, so
    # history (which keeps no recipient) stays searchable without holding one. Changing it makes older rows unfindable.
    s["RECIPIENT_SEARCH_KEY"] = _env("RECIPIENT_SEARCH_KEY", _DEV["RECIPIENT_SEARCH_KEY"])
    # How far back a search reaches into notification_history (and how long status events are kept).
    s["SUPPORT_SEARCH_HISTORY_DAYS"] = _env_int_between("SUPPORT_SEARCH_HISTORY_DAYS", 366, 1, 3660)
    s["SUPPORT_SEARCH_PAGE_SIZE"] = _env_int_between("SUPPORT_SEARCH_PAGE_SIZE", 50, 1, 250)

    # Letters
    # Where letter PDFs are kept: `local` (files under LETTERS_PDF_DIRECTORY) or `s3` (LETTERS_PDF_BUCKET_NAME).
    s["LETTERS_PDF_STORE"] = _env("LETTERS_PDF_STORE", "local")
    # Relative to the project, not the working directory: the API and the workers must read the same files.
    s["LETTERS_PDF_DIRECTORY"] = _env("LETTERS_PDF_DIRECTORY", str(Path(__file__).resolve().parent / ".data/letters"))
    s["LETTERS_PDF_BUCKET_NAME"] = _env("LETTERS_PDF_BUCKET_NAME")
    s["LETTERS_S3_ENDPOINT_URL"] = _env("LETTERS_S3_ENDPOINT_URL")
    # Letter PDFs and the files sent by email are read by other processes than the one that wrote them (a worker
    # renders a PDF that the print run and the API read; the API stores a file that any API process serves and a
    # worker deletes), so a deployed Herald on several hosts keeps them in S3. Set this when LETTERS_PDF_DIRECTORY and
    # DOCUMENTS_DIRECTORY are on storage every host mounts (or there is only one host) to keep them on disk.
    s["LOCAL_FILE_STORAGE_IS_SHARED"] = _env_bool("LOCAL_FILE_STORAGE_IS_SHARED", False)
    # A test key's letter is never printed: on, it goes `sending` then `delivered` once its PDF exists (a fake
    # despatch, as Notify's TEST_LETTERS_FAKE_DELIVERY); off, it is `delivered` at once.
    s["TEST_LETTERS_FAKE_DELIVERY"] = _env_bool("TEST_LETTERS_FAKE_DELIVERY", True)
    # Precompiled letters are scanned for viruses by ClamAV's clamd (CLAMD_HOST:CLAMD_PORT). VIRUS_SCANNER is
    # `clamd`, or `development` (finds only the EICAR test file); unset, clamd when CLAMD_HOST is set. A deployed
    # Herald refuses to start without clamd unless VIRUS_SCANNER=development is set explicitly.
    s["VIRUS_SCANNER"] = _env("VIRUS_SCANNER")
    s["CLAMD_HOST"] = _env("CLAMD_HOST")
    s["CLAMD_PORT"] = _env_int_between("CLAMD_PORT", 3310, 1, 65535)
    s["CLAMD_TIMEOUT_SECONDS"] = _env_int_between("CLAMD_TIMEOUT_SECONDS", 60, 1, 600)
    # The PDF checks of a precompiled letter run in a child process with these bounds (time, and memory beyond what
    # the worker process already holds): a file that needs more is `validation-failed`.
    s["PRECOMPILED_CHECK_TIMEOUT_SECONDS"] = _env_int_between("PRECOMPILED_CHECK_TIMEOUT_SECONDS", 30, 1, 600)
    s["PRECOMPILED_CHECK_MEMORY_BYTES"] = _env_int_between(
        "PRECOMPILED_CHECK_MEMORY_BYTES", 512 * 1024 * 1024, 64 * 1024 * 1024, 16 * 1024 * 1024 * 1024
    )
    # The print provider (a DVLA-style print API, letters.md §5.4): its base URL and credentials (a user name and
    # password exchanged for a JWT, and an API key sent with every call).
    s["DVLA_API_BASE_URL"] = _env("DVLA_API_BASE_URL", "")
    s["DVLA_API_USERNAME"] = _env("DVLA_API_USERNAME", "herald")
    s["DVLA_API_PASSWORD"] = _env("DVLA_API_PASSWORD", _DEV["DVLA_API_PASSWORD"])
    s["DVLA_API_KEY"] = _env("DVLA_API_KEY", _DEV["DVLA_API_KEY"])
    # Development only: run the print run every this many seconds, sending every ready letter at once instead of
    # waiting for the 17:30 London deadline (`make run` and the whole-stack tests). 0: the daily run only.
    s["LETTERS_PRINT_RUN_INTERVAL_SECONDS"] = _env_float("LETTERS_PRINT_RUN_INTERVAL_SECONDS", 0)
    # What a letter costs, for `cost_in_pounds`: JSON {"<postage>:<sheets>": pounds}, e.g. {"second:1": 0.85}.
    # Unset: letters show their sheets and postage with `cost_in_pounds` null.
    s["LETTER_RATES_POUNDS"] = _env_letter_rates("LETTER_RATES_POUNDS")

    # Service callbacks
    # One deadline for a whole callback call: DNS, connect, TLS, sending and reading the answer.
    s["SERVICE_CALLBACK_TIMEOUT_SECONDS"] = _env_float("SERVICE_CALLBACK_TIMEOUT_SECONDS", 10.0)
    # Networks a callback may reach although they are not public (and over http): local receivers in development
    # and tests only. Empty: callbacks go over https to public internet addresses only.
    s["CALLBACK_LOCAL_NETWORKS"] = _env_networks("CALLBACK_LOCAL_NETWORKS")

    # Operator console (/ops): signs its session cookie and CSRF tokens; a key of its own, so rotating it signs every
    # operator out without touching anything else.
    s["OPS_SECRET_KEY"] = _env("OPS_SECRET_KEY", _DEV["OPS_SECRET_KEY"])
    # How long a printed sign-in link can be used (once), and how long the session it opens lasts.
    s["OPS_SIGN_IN_LINK_SECONDS"] = _env_int_between("OPS_SIGN_IN_LINK_SECONDS", 300, 30, 3600)
    s["OPS_SESSION_SECONDS"] = _env_int_between("OPS_SESSION_SECONDS", 8 * 3600, 300, 7 * 24 * 3600)
    # How often an open console page reloads itself; its figures are cached as long, however many consoles are open.
    s["OPS_REFRESH_SECONDS"] = _env_int_between("OPS_REFRESH_SECONDS", 5, 2, 300)

    # Metrics
    s["STATSD_ENABLED"] = _env_bool("STATSD_ENABLED", False)
    s["STATSD_HOST"] = _env("STATSD_HOST", "127.0.0.1")
    s["STATSD_PORT"] = _env_int("STATSD_PORT", 8125)

    # Logging
    s["LOG_LEVEL"] = _env("LOG_LEVEL", "INFO")
    s["LOG_JSON"] = _env_bool("LOG_JSON", True)
    return settings


def _test_overrides() -> dict[str, Any]:
    return {
        "NOTIFY_ENVIRONMENT": "test",
        "TESTING": True,
        "LOG_JSON": _env_bool("LOG_JSON", False),
        # The tests' callback receivers listen on the loopback interface.
        "CALLBACK_LOCAL_NETWORKS": _env_networks("CALLBACK_LOCAL_NETWORKS", "127.0.0.0/8,::1/128"),
    }


def check_deployed_settings(settings: dict[str, Any]) -> None:
    """Raise ConfigurationError naming every secret that is missing or keeps its development value (never a value).

    Also refused: an SNS certificate prefix that is not https (a certificate fetched in clear can be swapped).
    """
    problems = [f"{name} is not set" for name in REQUIRED_OUTSIDE_DEVELOPMENT if not settings.get(name)]
    for name, development_value in DEVELOPMENT_DEFAULTS.items():
        if not os.environ.get(name):
            problems.append(f"{name} is not set")
        elif settings.get(name) == development_value:
            problems.append(f"{name} is the development default")
    if any(not prefix.startswith("https://") for prefix in settings["SNS_TRUSTED_CERT_URL_PREFIXES"]):
        problems.append("SNS_TRUSTED_CERT_URL_PREFIXES has a prefix that is not https://")
    if settings["LETTERS_PDF_STORE"] not in ("local", "s3"):
        problems.append("LETTERS_PDF_STORE must be local or s3")
    elif settings["LETTERS_PDF_STORE"] == "s3" and not settings["LETTERS_PDF_BUCKET_NAME"]:
        problems.append("LETTERS_PDF_BUCKET_NAME is not set (LETTERS_PDF_STORE is s3)")
    problems.extend(_file_storage_problems(settings))
    problems.extend(_virus_scanner_problems(settings))
    if settings["LETTERS_PRINT_RUN_INTERVAL_SECONDS"]:
        problems.append("LETTERS_PRINT_RUN_INTERVAL_SECONDS is set (printing at any time is for development only)")
    if settings["CALLBACK_LOCAL_NETWORKS"]:
        problems.append("CALLBACK_LOCAL_NETWORKS is set (callbacks to private addresses are for development only)")
    if problems:
        raise ConfigurationError(
            f"NOTIFY_ENVIRONMENT={settings['NOTIFY_ENVIRONMENT']} is not development or test, so Herald needs its own "
            f"secrets; refusing to start: {'; '.join(problems)}"
        )


def _file_storage_problems(settings: dict[str, Any]) -> list[str]:
    """Files on a local disk that another host would look for in vain, unless that disk is shared."""
    if settings["LOCAL_FILE_STORAGE_IS_SHARED"]:
        return []
    problems = []
    if settings["LETTERS_PDF_STORE"] == "local":
        problems.append(
            "LETTERS_PDF_STORE is local (each host would keep its own letter PDFs: use s3, or set"
            " LOCAL_FILE_STORAGE_IS_SHARED when every host mounts LETTERS_PDF_DIRECTORY)"
        )
    if not settings["DOCUMENTS_BUCKET"]:
        problems.append(
            "DOCUMENTS_BUCKET is not set (each host would keep its own files sent by email: set a bucket, or set"
            " LOCAL_FILE_STORAGE_IS_SHARED when every host mounts DOCUMENTS_DIRECTORY)"
        )
    return problems


def _virus_scanner_problems(settings: dict[str, Any]) -> list[str]:
    scanner = settings["VIRUS_SCANNER"]
    if scanner not in (None, "clamd", "development"):
        return ["VIRUS_SCANNER must be clamd or development"]
    if scanner != "development" and not settings["CLAMD_HOST"]:
        return ["CLAMD_HOST is not set (precompiled letters are virus-scanned; VIRUS_SCANNER=development to skip)"]
    return []


def load_config(environment: str | None = None) -> dict[str, Any]:
    """Read every setting from the environment now (Development, Test or, for any other environment, deployed).

    Raises ConfigurationError for a deployed environment without its secrets.
    """
    settings = _base_settings()
    environment = environment or settings["NOTIFY_ENVIRONMENT"]
    settings["NOTIFY_ENVIRONMENT"] = environment
    if environment == "test":
        settings.update(_test_overrides())
    elif environment not in DEVELOPMENT_ENVIRONMENTS:
        check_deployed_settings(settings)
    return settings

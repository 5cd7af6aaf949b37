"""Every Herald setting, read from the environment in one place."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_float(name: str, default: float) -> float:
    return float(_env(name, str(default)))


def _env_bool(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (_env(name, default) or "").split(",") if item.strip()]


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
    s["SECRET_KEY"] = _env("SECRET_KEY", "dev-secret-key-change-me-in-production")
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

    # Authentication
    s["ADMIN_CLIENT_ID"] = _env("ADMIN_CLIENT_ID", "herald-admin")
    s["ADMIN_CLIENT_SECRET"] = _env("ADMIN_CLIENT_SECRET", "dev-admin-secret-change-me-before-production")
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

    # Providers
    s["MMG_URL"] = _env("MMG_URL", "https://api.mmg.co.uk/jsonv2a/api.php")
    s["MMG_API_KEY"] = _env("MMG_API_KEY", "mmg-secret-key")
    s["MMG_RECEIPT_URL"] = _env("MMG_RECEIPT_URL")
    s["FIRETEXT_URL"] = _env("FIRETEXT_URL", "https://www.firetext.co.uk/api/sendsms/json")
    s["FIRETEXT_API_KEY"] = _env("FIRETEXT_API_KEY", "firetext-secret-key")
    s["FIRETEXT_INTERNATIONAL_API_KEY"] = _env("FIRETEXT_INTERNATIONAL_API_KEY", "firetext-international-key")
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
    s["INBOUND_SMS_BASIC_AUTH_USERNAME"] = _env("INBOUND_SMS_BASIC_AUTH_USERNAME", "herald")
    s["INBOUND_SMS_BASIC_AUTH_PASSWORD"] = _env("INBOUND_SMS_BASIC_AUTH_PASSWORD", "dev-inbound-password")
    s["SNS_TRUSTED_CERT_URL_PREFIXES"] = _env_list("SNS_TRUSTED_CERT_URL_PREFIXES")
    s["SNS_MAX_MESSAGE_AGE_SECONDS"] = _env_int("SNS_MAX_MESSAGE_AGE_SECONDS", 3600)
    s["SNS_TOPIC_ARNS"] = _env_list("SNS_TOPIC_ARNS")

    # Delivery safety nets
    s["REQUEUE_CREATED_AFTER_MINUTES"] = _env_float("REQUEUE_CREATED_AFTER_MINUTES", 10)
    s["SENDING_TIMEOUT_SECONDS"] = _env_int("SENDING_TIMEOUT_SECONDS", 72 * 3600)
    # A `sending` claim with no provider answer recorded after this long belongs to a dead worker: longer than the
    # slowest provider call (PROVIDER_TIMEOUT_SECONDS plus connection set-up and boto retries).
    s["SENDING_CLAIM_LEASE_SECONDS"] = _env_int("SENDING_CLAIM_LEASE_SECONDS", 120)
    s["DELIVERY_SAFETY_NET_BATCH_SIZE"] = _env_int("DELIVERY_SAFETY_NET_BATCH_SIZE", 1000)
    s["DEFAULT_DATA_RETENTION_DAYS"] = 7

    # Bulk jobs and retention
    s["JOB_BATCH_SIZE"] = _env_int("JOB_BATCH_SIZE", 2000)  # rows inserted (and committed) per statement
    # An `in progress` job whose processor has not finished a batch for this long is resumed by another worker.
    s["JOB_STALLED_AFTER_MINUTES"] = _env_float("JOB_STALLED_AFTER_MINUTES", 10)
    s["RETENTION_BATCH_SIZE"] = _env_int("RETENTION_BATCH_SIZE", 10_000)  # notifications moved per statement

    # Service callbacks
    s["SERVICE_CALLBACK_TIMEOUT_SECONDS"] = 5

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
        "API_KEY_CACHE_SECONDS": _env_float("API_KEY_CACHE_SECONDS", 0.0),
        "SEND_CACHE_SECONDS": _env_float("SEND_CACHE_SECONDS", 0.0),
        "LOG_JSON": _env_bool("LOG_JSON", False),
    }


def _check_production(settings: dict[str, Any]) -> None:
    for required in ("SECRET_KEY", "ADMIN_CLIENT_SECRET", "DATABASE_URL", "ENCRYPTION_KEYS"):
        if not os.environ.get(required):
            raise RuntimeError(f"{required} must be set when NOTIFY_ENVIRONMENT=production")


def load_config(environment: str | None = None) -> dict[str, Any]:
    """Read every setting from the environment now (Development, Test or Production flavour)."""
    settings = _base_settings()
    environment = environment or settings["NOTIFY_ENVIRONMENT"]
    if environment == "test":
        settings.update(_test_overrides())
    elif environment == "production":
        _check_production(settings)
    settings["NOTIFY_ENVIRONMENT"] = environment
    return settings

"""Start-up settings: any environment but development and test refuses missing secrets and development values."""

from __future__ import annotations

import pytest

from config import DEVELOPMENT_DEFAULTS, ConfigurationError, load_config

# A deployed environment's complete, non-default secrets (made up for the test).
DEPLOYED = {
    "DATABASE_URL": "postgresql://herald@db.internal/herald",
    "SECRET_KEY": "a-real-secret-key-0123456789abcdef",
    "ADMIN_CLIENT_SECRET": "a-real-admin-secret-0123456789abcdef",
    "ENCRYPTION_KEYS": "q1n3OYbCY8XRHhTFGt5Lmr7sDkXLzk9bNgrVgpk1KZY=",
    "MMG_API_KEY": "real-mmg-key",
    "FIRETEXT_API_KEY": "real-firetext-key",
    "FIRETEXT_INTERNATIONAL_API_KEY": "real-firetext-international-key",
    "RECEIPT_BASIC_AUTH_USERNAME": "receipts",
    "RECEIPT_BASIC_AUTH_PASSWORD": "real-receipt-password",
    "INBOUND_SMS_BASIC_AUTH_USERNAME": "inbound",
    "INBOUND_SMS_BASIC_AUTH_PASSWORD": "real-inbound-password",
    "SNS_TOPIC_ARNS": "arn:aws:sns:eu-west-2:123456789012:ses_notifications",
    "RECIPIENT_SEARCH_KEY": "a-real-recipient-search-key-0123456789",
    "OPS_SECRET_KEY": "a-real-ops-secret-0123456789abcdef",
    "CLAMD_HOST": "clamd.internal",
    "DVLA_API_BASE_URL": "https://print.example.gov.uk",
    "DVLA_API_PASSWORD": "real-dvla-password",
    "DVLA_API_KEY": "real-dvla-api-key",
}
# Where a deployment on several hosts keeps the files any of them may read: S3.
SHARED_FILE_STORAGE = {
    "LETTERS_PDF_STORE": "s3",
    "LETTERS_PDF_BUCKET_NAME": "herald-letters",
    "DOCUMENTS_BUCKET": "herald-documents",
}
DEPLOYED_ENVIRONMENTS = ["production", "staging", "preview", "Production", "prod", " development"]


@pytest.fixture
def deployed_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The process environment of a correctly configured deployment (SNS prefixes unset)."""
    for name, value in {**DEPLOYED, **SHARED_FILE_STORAGE}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SNS_TRUSTED_CERT_URL_PREFIXES", raising=False)
    monkeypatch.delenv("CALLBACK_LOCAL_NETWORKS", raising=False)
    monkeypatch.delenv("VIRUS_SCANNER", raising=False)
    monkeypatch.delenv("LETTERS_PRINT_RUN_INTERVAL_SECONDS", raising=False)
    monkeypatch.delenv("LOCAL_FILE_STORAGE_IS_SHARED", raising=False)
    return monkeypatch


def _refusal(environment: str) -> str:
    with pytest.raises(ConfigurationError) as raised:
        load_config(environment)
    return str(raised.value)


@pytest.mark.parametrize("environment", DEPLOYED_ENVIRONMENTS, ids=repr)
def test_a_deployed_environment_with_its_own_secrets_starts(
    deployed_environment: pytest.MonkeyPatch, environment: str
) -> None:
    settings = load_config(environment)

    assert (settings["NOTIFY_ENVIRONMENT"], settings["SNS_TOPIC_ARNS"]) == (environment, [DEPLOYED["SNS_TOPIC_ARNS"]])


@pytest.mark.parametrize("environment", DEPLOYED_ENVIRONMENTS, ids=repr)
@pytest.mark.parametrize("name", sorted(DEPLOYED), ids=str)
def test_a_deployed_environment_refuses_to_start_without_each_secret(
    deployed_environment: pytest.MonkeyPatch, environment: str, name: str
) -> None:
    deployed_environment.delenv(name)

    refusal = _refusal(environment)

    assert (f"{name} is not set" in refusal, refusal.count(" is not set"), refusal.count("development default")) == (
        True,
        1,
        0,
    )


@pytest.mark.parametrize("name", sorted(DEVELOPMENT_DEFAULTS), ids=str)
def test_a_deployed_environment_refuses_to_start_with_a_development_value(
    deployed_environment: pytest.MonkeyPatch, name: str
) -> None:
    deployed_environment.setenv(name, DEVELOPMENT_DEFAULTS[name])

    refusal = _refusal("staging")

    assert refusal.endswith(f"refusing to start: {name} is the development default")


def test_the_refusal_names_every_problem_and_no_secret_value(deployed_environment: pytest.MonkeyPatch) -> None:
    deployed_environment.delenv("SNS_TOPIC_ARNS")
    deployed_environment.delenv("RECEIPT_BASIC_AUTH_PASSWORD")
    deployed_environment.setenv("SECRET_KEY", DEVELOPMENT_DEFAULTS["SECRET_KEY"])

    refusal = _refusal("production")

    assert refusal == (
        "NOTIFY_ENVIRONMENT=production is not development or test, so Herald needs its own secrets; refusing to start: "
        "RECEIPT_BASIC_AUTH_PASSWORD is not set; SNS_TOPIC_ARNS is not set; SECRET_KEY is the development default"
    )
    assert not any(value in refusal for value in DEPLOYED.values() if value.startswith(("a-real", "real")))


def test_a_deployed_environment_refuses_an_sns_certificate_prefix_in_clear(
    deployed_environment: pytest.MonkeyPatch,
) -> None:
    deployed_environment.setenv("SNS_TRUSTED_CERT_URL_PREFIXES", "https://sns.internal/,http://127.0.0.1:6030/")

    assert _refusal("production").endswith("SNS_TRUSTED_CERT_URL_PREFIXES has a prefix that is not https://")


def test_a_deployed_environment_refuses_callbacks_to_local_networks(
    deployed_environment: pytest.MonkeyPatch,
) -> None:
    deployed_environment.setenv("CALLBACK_LOCAL_NETWORKS", "10.0.0.0/8")

    assert _refusal("production").endswith(
        "CALLBACK_LOCAL_NETWORKS is set (callbacks to private addresses are for development only)"
    )


def test_a_deployed_environment_refuses_printing_at_any_time(deployed_environment: pytest.MonkeyPatch) -> None:
    deployed_environment.setenv("LETTERS_PRINT_RUN_INTERVAL_SECONDS", "10")

    assert _refusal("production").endswith(
        "LETTERS_PRINT_RUN_INTERVAL_SECONDS is set (printing at any time is for development only)"
    )


def test_a_deployed_environment_refuses_letter_pdfs_on_a_local_disk(deployed_environment: pytest.MonkeyPatch) -> None:
    deployed_environment.setenv("LETTERS_PDF_STORE", "local")

    assert _refusal("production").endswith(
        "LETTERS_PDF_STORE is local (each host would keep its own letter PDFs: use s3, or set"
        " LOCAL_FILE_STORAGE_IS_SHARED when every host mounts LETTERS_PDF_DIRECTORY)"
    )


def test_a_deployed_environment_refuses_documents_on_a_local_disk(deployed_environment: pytest.MonkeyPatch) -> None:
    deployed_environment.delenv("DOCUMENTS_BUCKET")

    assert _refusal("production").endswith(
        "DOCUMENTS_BUCKET is not set (each host would keep its own files sent by email: set a bucket, or set"
        " LOCAL_FILE_STORAGE_IS_SHARED when every host mounts DOCUMENTS_DIRECTORY)"
    )


def test_a_deployed_environment_keeps_files_on_a_disk_it_says_every_host_shares(
    deployed_environment: pytest.MonkeyPatch,
) -> None:
    deployed_environment.setenv("LETTERS_PDF_STORE", "local")
    deployed_environment.delenv("DOCUMENTS_BUCKET")
    deployed_environment.setenv("LOCAL_FILE_STORAGE_IS_SHARED", "true")

    settings = load_config("production")

    assert (settings["LETTERS_PDF_STORE"], settings["DOCUMENTS_BUCKET"]) == ("local", None)


@pytest.mark.parametrize("environment", ["development", "test"], ids=str)
def test_development_and_test_start_on_the_development_defaults(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    for name in [*DEPLOYED, "SNS_TRUSTED_CERT_URL_PREFIXES"]:
        monkeypatch.delenv(name, raising=False)

    settings = load_config(environment)

    assert (settings["SECRET_KEY"], settings["SNS_TOPIC_ARNS"], settings["RECEIPT_BASIC_AUTH_PASSWORD"]) == (
        DEVELOPMENT_DEFAULTS["SECRET_KEY"],
        [],
        None,
    )


def test_an_unset_environment_is_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_ENVIRONMENT", raising=False)
    for name in DEPLOYED:
        monkeypatch.delenv(name, raising=False)

    assert load_config()["NOTIFY_ENVIRONMENT"] == "development"


def test_the_environment_variable_decides_when_none_is_given(deployed_environment: pytest.MonkeyPatch) -> None:
    deployed_environment.setenv("NOTIFY_ENVIRONMENT", "staging")
    deployed_environment.delenv("SECRET_KEY")

    with pytest.raises(ConfigurationError):
        load_config()


@pytest.mark.parametrize("value", ["-1", "301"], ids=["negative", "beyond-the-retry-countdown"])
def test_a_receipt_wait_outside_0_to_300_seconds_stops_the_start(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS", value)

    with pytest.raises(
        RuntimeError, match=rf"^AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS must be from 0 to 300, not {value}$"
    ):
        load_config("test")


def test_the_receipt_wait_defaults_to_three_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS", raising=False)

    assert load_config("test")["AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS"] == 180


def test_a_deployed_environment_without_clamd_starts_only_when_told_to_skip_the_virus_scan(
    deployed_environment: pytest.MonkeyPatch,
) -> None:
    deployed_environment.delenv("CLAMD_HOST")
    assert "CLAMD_HOST is not set" in _refusal("production")

    deployed_environment.setenv("VIRUS_SCANNER", "development")
    assert load_config("production")["VIRUS_SCANNER"] == "development"

    deployed_environment.setenv("VIRUS_SCANNER", "clamd")
    assert "CLAMD_HOST is not set" in _refusal("production")

    deployed_environment.setenv("VIRUS_SCANNER", "off")
    assert "VIRUS_SCANNER must be clamd or development" in _refusal("production")

"""Simulator settings from flags, with SIMULATOR_* environment variables as their defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.simulator.settings import SimulatorSettings, parse_settings


def test_defaults_listen_on_6030_and_send_receipts_to_herald_on_6011() -> None:
    settings = parse_settings([], {})

    assert (settings.host, settings.port, settings.receipt_url("mmg")) == (
        "127.0.0.1",
        6030,
        "http://127.0.0.1:6011/notifications/sms/mmg",
    )


def test_environment_gives_the_defaults() -> None:
    environ = {"SIMULATOR_PORT": "7001", "SIMULATOR_HERALD_URL": "http://herald:9000/", "SIMULATOR_OUTAGE": "true"}

    settings = parse_settings([], environ)

    assert (settings.port, settings.receipt_url("ses"), settings.behaviour) == (
        7001,
        "http://herald:9000/notifications/email/ses",
        {"global": {"outage": True}},
    )


def test_flags_win_over_the_environment() -> None:
    settings = parse_settings(["--port", "7002"], {"SIMULATOR_PORT": "7001"})

    assert settings.port == 7002


def test_receipt_urls_can_be_set_per_provider() -> None:
    settings = parse_settings(["--firetext-receipt-url", "http://elsewhere/firetext"], {})

    assert (settings.receipt_url("firetext"), settings.receipt_url("mmg")) == (
        "http://elsewhere/firetext",
        "http://127.0.0.1:6011/notifications/sms/mmg",
    )


def test_failure_flags_and_provider_config_make_one_behaviour_document() -> None:
    argv = ["--error-rate", "0.25", "--receipt-delay-ms", "0", "50", "--provider-config", '{"ses": {"outage": true}}']

    settings = parse_settings(argv, {"SIMULATOR_NO_RECEIPT": "1"})

    assert settings.behaviour == {
        "ses": {"outage": True},
        "global": {"error_rate": 0.25, "receipt_delay_ms": [0.0, 50.0], "no_receipt": True},
    }


def test_receipt_delay_comes_from_the_environment_as_min_comma_max() -> None:
    settings = parse_settings([], {"SIMULATOR_RECEIPT_DELAY_MS": "0,0"})

    assert settings.behaviour == {"global": {"receipt_delay_ms": [0.0, 0.0]}}


def test_receipt_basic_auth_needs_both_username_and_password() -> None:
    environ = {"SIMULATOR_RECEIPT_USERNAME": "herald", "SIMULATOR_RECEIPT_PASSWORD": "secret"}

    settings, without_password = parse_settings([], environ), parse_settings(["--receipt-username", "herald"], {})

    assert (settings.receipt_basic_auth, without_password.receipt_basic_auth) == (("herald", "secret"), None)


def test_signing_files_are_paths() -> None:
    settings = parse_settings(["--signing-key", "key.pem", "--signing-cert", "cert.pem"], {})

    assert (settings.signing_key_path, settings.signing_cert_path) == (Path("key.pem"), Path("cert.pem"))


@pytest.mark.parametrize(
    "argv",
    [
        ["--signing-key", "key.pem"],
        ["--error-rate", "2"],
        ["--provider-config", "{not json"],
        ["--provider-config", "[]"],
        ["--provider-config", '{"mmg": {"outage": "yes"}}'],
        ["--sns-signature-version", "3"],
    ],
    ids=["key-without-cert", "rate-above-one", "config-not-json", "config-not-object", "bad-provider-value", "sig-v3"],
)
def test_settings_that_make_no_sense_stop_the_start(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        parse_settings(argv, {})

    assert (raised.value.code, "error:" in capsys.readouterr().err) == (2, True)


def test_settings_default_to_the_same_values_as_the_command_line() -> None:
    parsed = parse_settings([], {})

    assert parsed == SimulatorSettings(behaviour={"global": {}})

"""The destination policy: which callback URLs and addresses are refused, and the URL that is kept."""

from __future__ import annotations

import socket
from collections.abc import Callable
from ipaddress import ip_address, ip_network
from typing import Any

import pytest

from app.callbacks import destination_policy
from app.callbacks.destination_policy import (
    DestinationRefusedError,
    check_address,
    check_destination_url,
    is_public_address,
    parse_destination_url,
)

LOOPBACK = (ip_network("127.0.0.0/8"),)
FORBIDDEN_CHARACTERS = "Callback URL must not contain whitespace, backslashes or control characters"
NOT_ASCII = "Callback URL path and query must be ASCII (percent-encode other characters)"


def _resolver(*addresses: str) -> Callable[..., list[tuple[Any, ...]]]:
    """Stands in for the system resolver (the outside world): answers every name with ``addresses``."""

    def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in addresses
        ]

    return getaddrinfo


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://callbacks.example.com/x", "Callback URL must use https"),
        ("ftp://callbacks.example.com/x", "Callback URL must use https"),
        ("callbacks.example.com/x", "Callback URL must use https"),
        ("https:callbacks.example.com", "Callback URL must use https"),
        ("https://user:pw@callbacks.example.com/x", "Callback URL must not contain a user name or password"),
        ("https://evil.example\\@callbacks.example.com/x", FORBIDDEN_CHARACTERS),
        ("https://callbacks.example.com/a b", FORBIDDEN_CHARACTERS),
        ("https://callbacks.example.com/\t", FORBIDDEN_CHARACTERS),
        ("https://callbacks.example.com/\x00", FORBIDDEN_CHARACTERS),
        ("https://callbacks.example.com\u3000/x", FORBIDDEN_CHARACTERS),
        ("https://callbacks.example.com/x#frag", "Callback URL must not have a fragment"),
        ("https://callbacks.example.com/caf\u00e9", NOT_ASCII),
        ("https://callbacks.example.com:0/x", "Callback URL port is not valid"),
        ("https://callbacks.example.com:65536/x", "Callback URL port is not valid"),
        ("https://callbacks.example.com:/x", "Callback URL host is not valid"),
        ("https:///x", "Callback URL host is not valid"),
        ("https://[fe80::1%25eth0]/x", "Callback URL host is not valid"),
        ("https://[127.0.0.1]/x", "Callback URL host is not valid"),
        ("https://under_score.example.com/x", "Callback URL host is not a valid domain name"),
        ("https://-leading.example.com/x", "Callback URL host is not a valid domain name"),
        ("https://callbacks.example.com./x", "Callback URL host is not a valid domain name"),
        (f"https://{'a' * 64}.example.com/x", "Callback URL host is not a valid domain name"),
        (f"https://{'.'.join(['a' * 60] * 5)}.com/x", "Callback URL host is not a valid domain name"),
        ("https://256.1.1.1/x", "Callback URL host is not a valid IP address"),
        ("https://010.0.0.1/x", "Callback URL host is not a valid IP address"),
        ("https://127.1/x", "Callback URL host is not valid: write an IP address in full"),
        ("https://2130706433/x", "Callback URL host is not valid: write an IP address in full"),
        ("https://0x7f.1/x", "Callback URL host is not valid: write an IP address in full"),
        (f"https://callbacks.example.com/{'a' * 2000}", "Callback URL must be at most 2000 characters long"),
    ],
)
def test_a_url_breaking_a_rule_is_refused_naming_the_rule(url: str, message: str) -> None:
    with pytest.raises(DestinationRefusedError) as raised:
        parse_destination_url(url, local_networks=())

    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://Callbacks.Example.COM/status?x=1", "https://callbacks.example.com/status?x=1"),
        ("HTTPS://callbacks.example.com", "https://callbacks.example.com/"),
        ("https://callbacks.example.com:443/x", "https://callbacks.example.com/x"),
        ("https://callbacks.example.com:8443?x", "https://callbacks.example.com:8443/?x"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://[2001:4860:4860:0:0:0:0:8888]/x", "https://[2001:4860:4860::8888]/x"),
    ],
)
def test_an_accepted_url_is_kept_as_rebuilt_from_its_parsed_parts(url: str, kept: str) -> None:
    assert parse_destination_url(url, local_networks=()).url == kept


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0", "10.1.2.3", "100.64.0.1", "127.0.0.1", "127.255.255.254", "169.254.169.254", "172.16.0.1",
        "192.0.0.8", "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1", "198.51.100.1", "203.0.113.1",
        "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "::", "::1", "::ffff:127.0.0.1", "::ffff:8.8.8.8", "::127.0.0.1", "::8.8.8.8", "64:ff9b::7f00:1",
        "64:ff9b::a00:1", "64:ff9b:1::808:808", "100::1", "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "2001:db8::1", "2002:7f00:1::1", "2002:808:808::1", "3fff::1", "5f00::1", "fc00::1", "fd12:3456::1",
        "fe80::1", "fec0::1", "ff02::1", "ff0e::1",
    ],
)  # fmt: skip
def test_an_address_off_the_public_internet_is_not_public(address: str) -> None:
    assert is_public_address(ip_address(address)) is False


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "151.101.0.1", "2001:4860:4860::8888", "2a00:1450::1", "64:ff9b::808:808"]
)
def test_a_public_address_is_public(address: str) -> None:
    assert is_public_address(ip_address(address)) is True


def test_an_address_in_a_local_network_is_allowed_over_http() -> None:
    check_address(ip_address("127.0.0.1"), scheme="http", local_networks=LOOPBACK)


def test_an_address_outside_the_local_networks_over_http_is_refused_even_when_public() -> None:
    with pytest.raises(DestinationRefusedError) as raised:
        check_address(ip_address("8.8.8.8"), scheme="http", local_networks=LOOPBACK)

    assert str(raised.value) == "Callback URL must use https"


def test_an_ipv4_mapped_loopback_address_is_not_in_an_ipv4_local_network() -> None:
    with pytest.raises(DestinationRefusedError):
        check_address(ip_address("::ffff:127.0.0.1"), scheme="https", local_networks=LOOPBACK)


def test_a_name_resolving_to_loopback_is_refused_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(destination_policy, "getaddrinfo", _resolver("127.0.0.1"))

    with pytest.raises(DestinationRefusedError) as raised:
        check_destination_url("https://callbacks.example.com/x", local_networks=())

    assert str(raised.value) == "Callback URL must point to a public internet address"


def test_a_name_with_one_private_address_among_public_ones_is_refused_when_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(destination_policy, "getaddrinfo", _resolver("8.8.8.8", "10.0.0.7"))

    with pytest.raises(DestinationRefusedError):
        check_destination_url("https://callbacks.example.com/x", local_networks=())


def test_a_name_resolving_to_public_addresses_only_is_accepted_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(destination_policy, "getaddrinfo", _resolver("8.8.8.8", "2001:4860:4860::8888"))

    destination = check_destination_url("https://callbacks.example.com/x", local_networks=())

    assert destination.url == "https://callbacks.example.com/x"


def test_a_name_that_does_not_resolve_is_refused_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    def getaddrinfo(*args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(destination_policy, "getaddrinfo", getaddrinfo)

    with pytest.raises(DestinationRefusedError) as raised:
        check_destination_url("https://nowhere.example.com/x", local_networks=())

    assert str(raised.value) == "Callback URL host could not be resolved"


@pytest.mark.parametrize(
    "url",
    ["https://localhost/x", "https://intranet/x", "https://printer.local/x", "https://db.internal/x",
     "https://router.home.arpa/x", "https://a.localhost/x"],
)  # fmt: skip
def test_a_special_use_or_single_label_name_is_refused_when_set_without_asking_dns(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(destination_policy, "getaddrinfo", _resolver("8.8.8.8"))

    with pytest.raises(DestinationRefusedError) as raised:
        check_destination_url(url, local_networks=())

    assert str(raised.value) == "Callback URL must point to a public internet address"


@pytest.mark.parametrize(
    "url", ["https://10.0.0.1/x", "https://169.254.169.254/latest/meta-data", "https://[::ffff:7f00:1]/x"]
)
def test_a_literal_private_address_is_refused_when_set(url: str) -> None:
    with pytest.raises(DestinationRefusedError) as raised:
        check_destination_url(url, local_networks=())

    assert str(raised.value) == "Callback URL must point to a public internet address"


def test_a_loopback_receiver_is_accepted_over_http_when_its_network_is_allowed() -> None:
    destination = check_destination_url("http://127.0.0.1:6123/callback", local_networks=LOOPBACK)

    assert destination.url == "http://127.0.0.1:6123/callback"

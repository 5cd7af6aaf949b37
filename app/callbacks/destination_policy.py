"""The one policy for every URL a tenant points Herald at (its callbacks): https to public internet addresses only.

A URL is checked twice with the same rules: when it is set (its host resolved here, every address checked) and when
a callback is sent, where the sender checks each address libcurl is about to connect to (``check_address``), so the
address checked is the address connected to and a name that re-resolves elsewhere (DNS rebinding) gains nothing.
``local_networks`` (CALLBACK_LOCAL_NETWORKS, empty by default) lets development and tests reach local receivers,
over http too.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from socket import IPPROTO_TCP, SOCK_STREAM, gaierror, getaddrinfo

import idna

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

MAX_URL_LENGTH = 2000  # the column's size
MAX_HOSTNAME_LENGTH = 253
DEFAULT_PORTS = {"https": 443, "http": 80}

# Addresses that are not on the public internet, beyond what ipaddress's `is_global` says (whose tables differ
# between Python versions): RFC 6890 special-purpose blocks, shared address space, benchmarking, documentation,
# multicast and reserved ranges; IPv4-mapped and IPv4-compatible IPv6, Teredo (inside 2001::/23), 6to4 (deprecated
# by RFC 7526, and it embeds any IPv4 address), the local-use NAT64 prefix, discard-only, SRv6 SIDs, ULA, link- and
# site-local.
_NOT_PUBLIC_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ip_network(network)
    for network in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.31.196.0/24",
        "192.52.193.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "192.175.48.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",
        "::ffff:0:0/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "2002::/16",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
# The well-known NAT64 prefix (RFC 6052): public only when the IPv4 address it embeds is (DNS64 gives IPv6-only
# hosts such addresses for IPv4-only names).
_NAT64_WELL_KNOWN_PREFIX = IPv6Network("64:ff9b::/96")

_FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]|\s")
_NETLOC = re.compile(r"(?:\[(?P<ipv6>[0-9a-fA-F:.]+)\]|(?P<host>[^\[\]:@]+))(?::(?P<port>[0-9]{1,5}))?")
_DOTTED_QUAD = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)", re.DOTALL)
# Names that never reach the public internet (RFC 6761, 6762, 8375, 9476; ICANN's `.internal`).
_SPECIAL_USE_SUFFIXES = (
    "localhost", "local", "internal", "home.arpa", "localdomain", "test", "invalid", "onion", "alt",
)  # fmt: skip


class DestinationRefusedError(Exception):
    """The URL or one of its addresses breaks the policy; the message says which rule, for the admin API."""


@dataclass(frozen=True)
class Destination:
    """A URL as the policy parsed it; ``url`` is rebuilt from these parts, and is what is stored and fetched."""

    scheme: str
    host: str  # ASCII: an IDNA-encoded name, or an IP address without brackets
    port: int
    target: str  # path and query, starting with "/"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if self.port == DEFAULT_PORTS[self.scheme] else f":{self.port}"
        return f"{self.scheme}://{host}{port}{self.target}"

    @property
    def literal_address(self) -> IPAddress | None:
        return _parse_ip_literal(self.host)


def is_public_address(address: IPAddress) -> bool:
    """Whether ``address`` is a unicast address on the public internet (see _NOT_PUBLIC_NETWORKS)."""
    if isinstance(address, IPv6Address) and address in _NAT64_WELL_KNOWN_PREFIX:
        return is_public_address(IPv4Address(address.packed[-4:]))
    if not address.is_global or address.is_multicast or address.is_reserved:
        return False
    return not any(address in network for network in _NOT_PUBLIC_NETWORKS if network.version == address.version)


def check_address(address: IPAddress, *, scheme: str, local_networks: Collection[IPNetwork]) -> None:
    """Raise DestinationRefusedError unless Herald may connect to ``address`` for a URL of ``scheme``: a public
    address over https, or an address in ``local_networks`` (over http or https)."""
    if any(address.version == network.version and address in network for network in local_networks):
        return
    if scheme != "https":
        raise DestinationRefusedError("Callback URL must use https")
    if not is_public_address(address):
        raise DestinationRefusedError("Callback URL must point to a public internet address")


def parse_destination_url(url: str, *, local_networks: Collection[IPNetwork]) -> Destination:
    """Check the URL's text (not its addresses) and return its parts; raise DestinationRefusedError naming the rule
    it breaks. http is accepted only while ``local_networks`` is not empty (its addresses are checked later)."""
    if not isinstance(url, str) or not url:
        raise DestinationRefusedError("Callback URL is missing")
    if len(url) > MAX_URL_LENGTH:
        raise DestinationRefusedError(f"Callback URL must be at most {MAX_URL_LENGTH} characters long")
    if _FORBIDDEN_CHARACTERS.search(url):
        raise DestinationRefusedError("Callback URL must not contain whitespace, backslashes or control characters")
    match = _SCHEME.fullmatch(url)
    scheme = match["scheme"].lower() if match else ""
    if match is None or (scheme != "https" and not (scheme == "http" and local_networks)):
        raise DestinationRefusedError("Callback URL must use https")
    netloc, target = _split_authority(match["rest"])
    host, port = _parse_netloc(netloc, scheme)
    return Destination(scheme=scheme, host=host, port=port, target=target)


def check_destination_url(url: str, *, local_networks: Collection[IPNetwork]) -> Destination:
    """Check a URL before it is stored: its text, then every address its host resolves to now.

    Returns the parsed destination (store ``.url``); raises DestinationRefusedError naming the rule it breaks.
    """
    destination = parse_destination_url(url, local_networks=local_networks)
    if _is_special_use_name(destination.host):
        raise DestinationRefusedError("Callback URL must point to a public internet address")
    for address in resolve_destination(destination):
        check_address(address, scheme=destination.scheme, local_networks=local_networks)
    return destination


def resolve_destination(destination: Destination) -> Sequence[IPAddress]:
    """Every address the destination's host stands for (the literal itself, or what DNS answers now)."""
    literal = destination.literal_address
    if literal is not None:
        return [literal]
    try:
        answers = getaddrinfo(destination.host, destination.port, type=SOCK_STREAM, proto=IPPROTO_TCP)
    except (gaierror, UnicodeError) as error:
        raise DestinationRefusedError("Callback URL host could not be resolved") from error
    addresses = [ip_address(str(sockaddr[0]).split("%", 1)[0]) for _, _, _, _, sockaddr in answers]
    if not addresses:
        raise DestinationRefusedError("Callback URL host could not be resolved")
    return addresses


def _split_authority(rest: str) -> tuple[str, str]:
    """Split what follows ``scheme://`` into the authority and the path-and-query (a fragment is refused)."""
    if "#" in rest:
        raise DestinationRefusedError("Callback URL must not have a fragment")
    end = min((index for index in (rest.find("/"), rest.find("?")) if index >= 0), default=len(rest))
    netloc, target = rest[:end], rest[end:]
    if not target.isascii():
        raise DestinationRefusedError("Callback URL path and query must be ASCII (percent-encode other characters)")
    if "@" in netloc:
        raise DestinationRefusedError("Callback URL must not contain a user name or password")
    return netloc, target if target.startswith("/") else f"/{target}"


def _parse_netloc(netloc: str, scheme: str) -> tuple[str, int]:
    match = _NETLOC.fullmatch(netloc)
    if match is None:
        raise DestinationRefusedError("Callback URL host is not valid")
    port = int(match["port"]) if match["port"] else DEFAULT_PORTS[scheme]
    if not 1 <= port <= 65535:
        raise DestinationRefusedError("Callback URL port is not valid")
    if match["ipv6"] is not None:
        address = _parse_ip_literal(match["ipv6"])
        if not isinstance(address, IPv6Address):
            raise DestinationRefusedError("Callback URL host is not valid")
        return str(address), port
    return _normalise_host(match["host"]), port


def _normalise_host(host: str) -> str:
    """An IPv4 address written in full, or a domain name as IDNA ASCII; anything else is refused."""
    if _DOTTED_QUAD.fullmatch(host):
        address = _parse_ip_literal(host)
        if address is None:
            raise DestinationRefusedError("Callback URL host is not a valid IP address")
        return str(address)
    try:
        name = idna.encode(host, uts46=True, std3_rules=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        raise DestinationRefusedError("Callback URL host is not a valid domain name") from error
    _check_domain_name(name)
    return name


def _check_domain_name(name: str) -> None:
    labels = name.split(".")
    if len(name) > MAX_HOSTNAME_LENGTH or not all(_LABEL.fullmatch(label) for label in labels):
        raise DestinationRefusedError("Callback URL host is not a valid domain name")
    if labels[-1].isdigit() or labels[-1].startswith("0x"):
        # `127.1` or `0x7f.1`: resolvers read these as IPv4 addresses.
        raise DestinationRefusedError("Callback URL host is not valid: write an IP address in full")


def _is_special_use_name(host: str) -> bool:
    """A single-label name (resolved through search domains) or one under a special-use domain: never a public
    host. Refused when a URL is set; at send time the addresses decide (libcurl resolves ``localhost`` to loopback)."""
    if _parse_ip_literal(host) is not None:
        return False
    return "." not in host or any(host == suffix or host.endswith(f".{suffix}") for suffix in _SPECIAL_USE_SUFFIXES)


def _parse_ip_literal(text: str) -> IPAddress | None:
    try:
        return ip_address(text)
    except ValueError:
        return None

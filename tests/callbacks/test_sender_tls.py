"""The callback sender over https to a real local TLS server: the certificate is verified against the URL's host
name while the connection goes to the checked address."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network
from pathlib import Path

import pycurl
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.callbacks import sender
from app.callbacks.sender import CallbackRetryableError, post_callback

LOOPBACK = (ip_network("127.0.0.0/8"), ip_network("::1/128"))


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject: str, issuer: str, key: ec.EllipticCurvePrivateKey, signer: ec.EllipticCurvePrivateKey,
                 *, is_ca: bool, names: list[x509.GeneralName]) -> x509.Certificate:  # fmt: skip
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(signer, hashes.SHA256())


class _Handler(BaseHTTPRequestHandler):
    hosts: list[str]

    def do_POST(self) -> None:  # noqa: N802 - the http.server spelling
        self.rfile.read(int(self.headers["Content-Length"]))
        self.hosts.append(self.headers["Host"])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        return


def _tls_server(tmp_path: Path, names: list[x509.GeneralName]) -> tuple[ThreadingHTTPServer, list[str], Path]:
    """A TLS server on 127.0.0.1 whose certificate (signed by a fresh CA) names ``names``; returns it, the Host
    headers it receives, and the CA's file."""
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Test CA", "Test CA", ca_key, ca_key, is_ca=True, names=[])
    leaf = _certificate("callbacks", "Test CA", server_key, ca_key, is_ca=False, names=names)
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "key.pem")
    hosts: list[str] = []
    handler = type("Handler", (_Handler,), {"hosts": hosts})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, hosts, tmp_path / "ca.pem"


@pytest.fixture
def trusted_ca(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Make the sender trust the test CA instead of certifi's bundle (the machine's trust store is outside world)."""
    holder: list[Path] = []
    monkeypatch.setattr(sender.certifi, "where", lambda: str(holder[0]))
    return holder


def _post(url: str) -> int:
    return post_callback(
        url,
        b"{}",
        bearer_token="service-token-123",
        signing_secret="signing-secret",
        timeout_seconds=5.0,
        local_networks=LOOPBACK,
    )


def test_https_to_a_name_is_verified_against_that_name_and_carries_it_as_host(
    tmp_path: Path, trusted_ca: list[Path]
) -> None:
    server, hosts, ca_file = _tls_server(tmp_path, [x509.DNSName("localhost")])
    trusted_ca.append(ca_file)
    port = server.server_address[1]
    try:
        status_code = _post(f"https://localhost:{port}/callback")
    finally:
        server.shutdown()
        server.server_close()

    assert (status_code, hosts) == (200, [f"localhost:{port}"])


def test_https_to_a_server_whose_certificate_names_another_host_sends_nothing(
    tmp_path: Path, trusted_ca: list[Path]
) -> None:
    server, hosts, ca_file = _tls_server(
        tmp_path, [x509.DNSName("other.example.com"), x509.IPAddress(ipaddress.ip_address("10.9.9.9"))]
    )
    trusted_ca.append(ca_file)
    port = server.server_address[1]
    try:
        with pytest.raises(CallbackRetryableError) as raised:
            _post(f"https://localhost:{port}/callback")
    finally:
        server.shutdown()
        server.server_close()

    assert str(raised.value) == f"libcurl error {pycurl.E_PEER_FAILED_VERIFICATION}"
    assert hosts == []

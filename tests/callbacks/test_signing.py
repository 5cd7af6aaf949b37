"""The callback signature header value."""

from __future__ import annotations

from app.callbacks.signing import sign_callback_body


def test_signature_is_the_hex_hmac_sha256_of_the_body_prefixed_with_the_algorithm() -> None:
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    signature = sign_callback_body(b"what do ya want for nothing?", "Jefe")

    assert signature == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"

"""A document's key: only its link carries it, and nothing sealed opens without it."""

from __future__ import annotations

import uuid

import pytest

from app.documents.sealing import (
    CONTENT,
    FILENAME,
    BadDocumentKeyError,
    DocumentKey,
    is_recipient,
    recipient_proof,
    seal,
    unseal,
)


def test_a_key_survives_the_trip_through_its_link() -> None:
    key = DocumentKey.generate()

    assert DocumentKey.from_link(key.for_link()) == key


def test_a_key_never_shows_in_its_repr() -> None:
    key = DocumentKey.generate()

    assert key.for_link() not in repr(key)
    assert repr(key.secret) not in repr(key)


@pytest.mark.parametrize(
    "encoded",
    ["", "a" * 42, "a" * 44, "a" * 42 + "=", "a" * 42 + "+", "a" * 42 + "/", "é" * 43, "a" * 42 + "B"],
    ids=["empty", "short", "long", "padding", "plus", "slash", "not-ascii", "not-canonical"],
)
def test_a_malformed_key_is_refused(encoded: str) -> None:
    with pytest.raises(BadDocumentKeyError):
        DocumentKey.from_link(encoded)


def test_sealed_content_opens_with_its_key_only() -> None:
    key, document_id = DocumentKey.generate(), uuid.uuid4()
    sealed = seal(key, document_id, CONTENT, b"the file")

    assert b"the file" not in sealed
    assert unseal(key, document_id, CONTENT, sealed) == b"the file"
    with pytest.raises(BadDocumentKeyError):
        unseal(DocumentKey.generate(), document_id, CONTENT, sealed)


@pytest.mark.parametrize("change", ["document", "purpose", "bytes"])
def test_sealed_content_does_not_open_as_another_document_or_purpose_or_when_altered(change: str) -> None:
    key, document_id = DocumentKey.generate(), uuid.uuid4()
    sealed = seal(key, document_id, CONTENT, b"the file")
    other_id = uuid.uuid4() if change == "document" else document_id
    purpose = FILENAME if change == "purpose" else CONTENT
    altered = sealed[:-1] + bytes([sealed[-1] ^ 1]) if change == "bytes" else sealed

    with pytest.raises(BadDocumentKeyError):
        unseal(key, other_id, purpose, altered)


def test_the_recipient_proof_matches_only_the_address_under_the_same_key() -> None:
    key = DocumentKey.generate()
    proof = recipient_proof(key, "someone@example.com")

    assert is_recipient(key, "someone@example.com", proof)
    assert not is_recipient(key, "someone.else@example.com", proof)
    assert not is_recipient(DocumentKey.generate(), "someone@example.com", proof)

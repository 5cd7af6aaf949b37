"""Typed errors carrying their HTTP status, and the two envelopes they are rendered in (v2 and admin)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import NoResultFound
from werkzeug.exceptions import HTTPException

from app.envelopes import Envelope, request_envelope

logger = logging.getLogger(__name__)


class HeraldError(Exception):
    """An error a client can act on; rendered as the envelope of the API it happened in."""

    status_code = 400
    error_type = "BadRequestError"

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code

    def messages(self) -> list[str]:
        return [self.message]


class BadRequestError(HeraldError):
    error_type = "BadRequestError"


class ValidationError(HeraldError):
    """One or more schema violations; each becomes its own entry in `errors`."""

    error_type = "ValidationError"

    def __init__(self, messages: Sequence[str]) -> None:
        unique = list(dict.fromkeys(message.replace("'", "") for message in messages))
        super().__init__("; ".join(unique))
        self._messages = unique

    def messages(self) -> list[str]:
        return self._messages


class InvalidPhoneError(HeraldError):
    error_type = "InvalidPhoneError"


class InvalidEmailError(HeraldError):
    error_type = "InvalidEmailError"


class AuthError(HeraldError):
    error_type = "AuthError"

    def __init__(self, message: str, status_code: int = 403) -> None:
        super().__init__(message, status_code)


class RateLimitError(HeraldError):
    status_code = 429
    error_type = "RateLimitError"

    def __init__(self, key_type: str, limit: int, interval_seconds: int) -> None:
        shown_type = "LIVE" if key_type == "normal" else key_type.upper()
        super().__init__(
            f"Exceeded rate limit for key type {shown_type} of {limit} requests per {interval_seconds} seconds"
        )


class TooManyRequestsError(HeraldError):
    status_code = 429
    error_type = "TooManyRequestsError"

    def __init__(self, limit_name: str, limit: int) -> None:
        super().__init__(f"Exceeded send limits ({limit_name}: {limit}) for today")


class PDFNotReadyError(HeraldError):
    """A letter's PDF is not made yet (or cannot be read just now): the clients retry on this error."""

    status_code = 400
    error_type = "PDFNotReadyError"

    def __init__(self, message: str = "PDF not available yet, try again later") -> None:
        super().__init__(message, 400)


class NotFoundError(HeraldError):
    status_code = 404
    error_type = "NoResultFound"

    def __init__(self, message: str = "No result found") -> None:
        super().__init__(message, 404)


class ConflictError(HeraldError):
    status_code = 409
    error_type = "ConflictError"


class InvalidRequest(HeraldError):
    """An admin API error, rendered as {"result": "error", "message": ...}."""

    def __init__(self, message: Any, status_code: int = 400) -> None:
        super().__init__(message if isinstance(message, str) else str(message), status_code)
        self.payload = message


def v2_error_response(status_code: int, error_type: str, messages: Sequence[str]) -> Response:
    response = jsonify(
        status_code=status_code,
        errors=[{"error": error_type, "message": message} for message in messages],
    )
    response.status_code = status_code
    return response


def admin_error_response(status_code: int, message: Any) -> Response:
    response = jsonify(result="error", message=message)
    response.status_code = status_code
    return response


def _render(error: HeraldError) -> Response:
    if request_envelope() is Envelope.ADMIN:
        payload = error.payload if isinstance(error, InvalidRequest) else error.message
        return admin_error_response(error.status_code, payload)
    return v2_error_response(error.status_code, error.error_type, error.messages())


def register_error_handlers(app: Flask) -> None:
    """Render every error in the envelope of the API it happened in; never leak a traceback."""

    @app.errorhandler(HeraldError)
    def handle_herald_error(error: HeraldError) -> Response:
        return _render(error)

    @app.errorhandler(NoResultFound)
    def handle_no_result(error: NoResultFound) -> Response:
        return _render(NotFoundError())

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException) -> Response:
        status_code = error.code or 500
        if status_code == 404:
            return _render(NotFoundError("Not Found"))
        if status_code == 405:
            response = _render(HeraldError("The method is not allowed for the requested URL.", 405))
            # RFC 9110: a 405 lists the methods the resource supports.
            response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or ())
            return response
        if status_code == 413:
            return _render(HeraldError("Request body too large", 413))
        return _render(HeraldError(error.description or error.name, status_code))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        logger.exception("Unhandled error serving %s %s", request.method, request.path)
        if request_envelope() is Envelope.ADMIN:
            return admin_error_response(500, "Internal server error")
        return v2_error_response(500, "Exception", ["Internal server error"])

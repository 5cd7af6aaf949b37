"""The download page for files sent by email: `/d/<service_id>/<document_id>?key=…`, served to the public.

The page works without JavaScript. A file that asks for it is released only to someone who types the recipient's
email address (a POST carrying a double-submit token; the file is the POST's answer); any other file has a
download link. Every answer carries the headers of `responses.py`; every problem is a page of its own with its
status: 404 for a link that names nothing or has a wrong key, 410 once the file's time is up, 429 after too many
wrong addresses, 400 for a wrong address or a form that fails its check.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import uuid
from dataclasses import dataclass

from flask import Response, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from app.authentication.auth import requires_no_auth
from app.clock import utc_now
from app.documents import download, responses
from app.documents.contact import contact_for
from app.documents.sealing import BadDocumentKeyError, DocumentKey
from app.documents.storage import document_store
from app.envelopes import Envelope, HeraldBlueprint
from app.redis_store import redis_client

logger = logging.getLogger(__name__)

documents_blueprint = HeraldBlueprint(
    "documents", __name__, url_prefix="/d", envelope=Envelope.PUBLIC, template_folder="templates"
)
documents_blueprint.before_request(requires_no_auth)

MAX_FORM_BYTES = 4096  # an email address and a token
FORM_COOKIE = "herald_document_form"
EMAIL_FIELD = "email_address"
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")

WRONG_ADDRESS = "Enter the email address this file was sent to"
FORM_EXPIRED = "Your answer could not be checked. Enter your email address again"


class _BadLinkError(Exception):
    """The address is not a document link at all: ids that are not UUIDs, or no usable key."""


@dataclass(frozen=True)
class _Link:
    service_id: uuid.UUID
    document_id: uuid.UUID
    key: DocumentKey


@documents_blueprint.before_request
def _prepare_request() -> None:
    request.max_content_length = MAX_FORM_BYTES
    g.csp_nonce = responses.new_nonce()


@documents_blueprint.after_request
def _add_headers(response: Response) -> Response:
    return responses.add_common_headers(response, g.get("csp_nonce", ""))


@documents_blueprint.route("/<service_id>/<document_id>", methods=["GET"])
def show_document(service_id: str, document_id: str) -> Response:
    link = _parsed_link(service_id, document_id)
    document = download.find_document(link.service_id, link.document_id, link.key, utc_now())
    if document.is_email_confirmation_required:
        return _confirmation_page(document, link)
    return _page("documents/download.html", 200, document=document, download_url=_url(link, "download_document"))


@documents_blueprint.route("/<service_id>/<document_id>", methods=["POST"])
def confirm_email_address(service_id: str, document_id: str) -> Response:
    link = _parsed_link(service_id, document_id)
    document = download.find_document(link.service_id, link.document_id, link.key, utc_now())
    if not _is_form_token_valid():
        return _confirmation_page(document, link, error=FORM_EXPIRED, status=400)
    try:
        download.check_email_address(document, link.key, request.form.get(EMAIL_FIELD, ""), _attempt_policy())
    except download.WrongEmailAddressError:
        return _confirmation_page(document, link, error=WRONG_ADDRESS, status=400)
    return _file(document, link)


@documents_blueprint.route("/<service_id>/<document_id>/download", methods=["GET"])
def download_document(service_id: str, document_id: str) -> Response:
    link = _parsed_link(service_id, document_id)
    document = download.find_document(link.service_id, link.document_id, link.key, utc_now())
    if document.is_email_confirmation_required:
        return redirect(_url(link, "show_document"), 303)  # type: ignore[return-value]
    return _file(document, link)


@documents_blueprint.route("/<path:unmatched>", methods=["GET", "POST"])
def show_unmatched_link(unmatched: str) -> Response:
    """Anything else under /d/ (a mangled link, a path with more parts) gets the page, not the API's JSON."""
    raise _BadLinkError()


def _file(document: download.FoundDocument, link: _Link) -> Response:
    content = download.read_document(document, link.key, document_store())
    logger.info(
        "Released document %s of service %s",
        document.id,
        document.service_id,
        extra={"document_id": str(document.id), "service_id": str(document.service_id)},
    )
    return responses.file_response(content, filename=document.filename, mimetype=document.mimetype)


def _parsed_link(service_id: str, document_id: str) -> _Link:
    if not (_CANONICAL_UUID.fullmatch(service_id) and _CANONICAL_UUID.fullmatch(document_id)):
        raise _BadLinkError()
    try:
        key = DocumentKey.from_link(request.args.get("key", ""))
    except BadDocumentKeyError as error:
        raise _BadLinkError() from error
    return _Link(uuid.UUID(service_id), uuid.UUID(document_id), key)


def _url(link: _Link, endpoint: str) -> str:
    return url_for(
        f"documents.{endpoint}",
        service_id=str(link.service_id),
        document_id=str(link.document_id),
        key=link.key.for_link(),
    )


def _attempt_policy() -> download.AttemptPolicy:
    config = current_app.config
    return download.AttemptPolicy(
        client=redis_client(),
        max_attempts=config["DOCUMENT_CONFIRM_MAX_ATTEMPTS"],
        window_seconds=config["DOCUMENT_CONFIRM_ATTEMPT_WINDOW_SECONDS"],
    )


def _is_form_token_valid() -> bool:
    cookie = request.cookies.get(FORM_COOKIE, "")
    field = request.form.get("form_token", "")
    return bool(_FORM_TOKEN.fullmatch(cookie)) and hmac.compare_digest(cookie.encode(), field.encode())


def _confirmation_page(
    document: download.FoundDocument, link: _Link, *, error: str | None = None, status: int = 200
) -> Response:
    cookie = request.cookies.get(FORM_COOKIE, "")
    token = cookie if _FORM_TOKEN.fullmatch(cookie) else secrets.token_urlsafe(32)
    response = _page(
        "documents/confirm.html",
        status,
        document=document,
        form_action=_url(link, "show_document"),
        form_token=token,
        error=error,
        typed_address=request.form.get(EMAIL_FIELD, "")[:320] if error == WRONG_ADDRESS else "",
    )
    response.set_cookie(
        FORM_COOKIE,
        token,
        max_age=3600,
        path="/d/",
        # Behind a proxy that ends TLS the request itself looks like http: the links' scheme says what users see.
        secure=request.is_secure or current_app.config["DOCUMENT_DOWNLOAD_BASE_URL"].startswith("https://"),
        httponly=True,
        samesite="Strict",
    )
    return response


def _page(template: str, status: int, **context: object) -> Response:
    document = context.get("document")
    contact = contact_for(document.contact_link) if isinstance(document, download.FoundDocument) else None
    html = render_template(template, csp_nonce=g.csp_nonce, contact=contact, **context)
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def _problem(status: int, title: str, message: str) -> Response:
    return _page("documents/problem.html", status, title=title, message=message)


@documents_blueprint.errorhandler(_BadLinkError)
@documents_blueprint.errorhandler(BadDocumentKeyError)
def _bad_link(error: Exception) -> Response:
    return _problem(404, "This link does not work", "Check that you copied the whole link from the email.")


@documents_blueprint.errorhandler(download.DocumentNotFoundError)
def _not_found(error: download.DocumentNotFoundError) -> Response:
    return _problem(
        404,
        "The file is not available",
        "The link may be wrong, or the file may have been deleted at the end of the time it was kept for.",
    )


@documents_blueprint.errorhandler(download.DocumentExpiredError)
def _expired(error: download.DocumentExpiredError) -> Response:
    return _problem(
        410,
        "This file is no longer available",
        "Files are only kept for a limited time. Contact the sender if you still need it.",
    )


@documents_blueprint.errorhandler(download.TooManyAttemptsError)
def _too_many_attempts(error: download.TooManyAttemptsError) -> Response:
    response = _problem(
        429,
        "Too many attempts",
        "The email address was entered wrongly too many times. Try again in an hour.",
    )
    response.headers["Retry-After"] = str(current_app.config["DOCUMENT_CONFIRM_ATTEMPT_WINDOW_SECONDS"])
    return response


@documents_blueprint.errorhandler(HTTPException)
def _http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    return _problem(status, error.name, "Sorry, this request could not be answered.")

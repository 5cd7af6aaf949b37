"""POST /v2/template/<id>/preview: the latest version of a template filled with the given personalisation.

The personalisation and the filled size are checked as for a send before anything is rendered, so a preview costs
at most what the largest message costs. A file to send by email is checked as for a send and shown as a note where
its link would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, g, jsonify, request

from app.dao.templates_dao import dao_get_template_by_id
from app.errors import BadRequestError
from app.models import Template, TemplateType
from app.notifications.personalisation import check_personalisation, check_personalisation_size
from app.templating.email import fill_email_body, render_email_subject
from app.templating.email_html import render_html_blocks
from app.templating.email_markdown import parse_markdown
from app.templating.letter import fill_letter_body, render_letter_subject
from app.templating.placeholders import missing_personalisation_message, missing_placeholders
from app.templating.render_bounds import size_problem_before_rendering
from app.templating.sms import render_sms
from app.v2.notifications.post_notification import json_request_body
from app.v2.request_validation import validate_request
from app.v2.template import v2_template
from app.v2.template.schemas import GET_TEMPLATE_REQUEST, POST_TEMPLATE_PREVIEW_REQUEST
from app.v2.template.serialise_template import letter_contact_block_of, template_texts

FILE_LINK_IN_PREVIEW = "(a link to download the file)"


def request_body() -> Any:
    """The JSON body; an empty body (or `null`) counts as `{}`. Raises BadRequestError when it is not JSON."""
    if not request.get_data(cache=True).strip():
        return {}
    body = json_request_body()
    return {} if body is None else body


def check_personalisation_is_complete(template: Template, personalisation: Mapping[str, Any]) -> None:
    missing = missing_placeholders(template_texts(template, letter_contact_block_of(template)), personalisation)
    if missing:
        raise BadRequestError(missing_personalisation_message(missing))


def preview(template: Template, personalisation: Mapping[str, Any]) -> dict[str, Any]:
    """The filled body, and for emails the filled subject and the body as HTML (without the email's layout); for
    letters the filled heading, no HTML, and the postage (letters.md §7.1)."""
    if template.template_type == TemplateType.LETTER:
        return {
            "body": fill_letter_body(template.content, personalisation),
            "subject": render_letter_subject(template.subject or "", personalisation),
            "html": None,
            "postage": template.postage,
        }
    if template.template_type == TemplateType.EMAIL:
        body = fill_email_body(template.content, personalisation)
        return {
            "body": body,
            "subject": render_email_subject(template.subject or "", personalisation),
            "html": render_html_blocks(parse_markdown(body)),
            "postage": None,
        }
    return {
        "body": render_sms(template.content, personalisation).body,
        "subject": None,
        "html": None,
        "postage": None,
    }


@v2_template.route("/<template_id>/preview", methods=["POST"])
def post_template_preview(template_id: str) -> Response:
    validate_request({"id": template_id}, GET_TEMPLATE_REQUEST)
    body = validate_request(request_body(), POST_TEMPLATE_PREVIEW_REQUEST)
    personalisation = body.get("personalisation") or {}
    template = dao_get_template_by_id(g.service_id, template_id)
    files = check_personalisation(
        personalisation,
        template.template_type,
        service_id=template.service_id,
        contact_link=g.authenticated_service.contact_link,
        admin_base_url=current_app.config["ADMIN_BASE_URL"],
    )
    # A preview stores nothing, so a file shows as where its link would be.
    personalisation = {**personalisation, **dict.fromkeys(files, FILE_LINK_IN_PREVIEW)}
    check_personalisation_is_complete(template, personalisation)
    problem = size_problem_before_rendering(template.template_type, template.content, template.subject, personalisation)
    if problem is not None:
        raise BadRequestError(problem)
    check_personalisation_size(personalisation)
    return jsonify(
        id=str(template.id),
        type=template.template_type,
        version=template.version,
        **preview(template, personalisation),
    )

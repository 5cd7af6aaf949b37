"""The operator console's pages: sign-in by one-time link (open: the link is the credential) and the console itself
(an open session required), both HTML, with headers that forbid scripts, framing and caching."""

from __future__ import annotations

from flask import Response, current_app, g, render_template, request, url_for

from app.authentication.auth import requires_no_auth
from app.envelopes import Envelope, HeraldBlueprint
from app.ops.console_figures import console_figures
from app.ops.formatting import FORMATTERS
from app.ops.session_cookie import (
    clear_session_cookie,
    csrf_token,
    is_csrf_token_valid,
    requires_ops_session,
    set_session_cookie,
)
from app.ops.sign_in import SignInLinkRefusedError, end_session, is_sign_in_link_usable, open_session

# A console form carries one token: anything much bigger is not ours, refused before it is parsed.
MAX_FORM_BYTES = 1024
SECURITY_HEADERS = {
    # No script of any kind, styles only from our own stylesheet (the charts use SVG attributes, not style).
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}

ops_sign_in = HeraldBlueprint(
    "ops_sign_in",
    __name__,
    envelope=Envelope.PUBLIC,
    template_folder="templates",
    static_folder="static",
    static_url_path="/ops/static",
)
ops_sign_in.before_request(requires_no_auth)
ops_console = HeraldBlueprint("ops_console", __name__, envelope=Envelope.PUBLIC, template_folder="templates")
ops_console.before_request(requires_ops_session)


def _refuse_large_forms() -> Response | None:
    if request.method == "POST" and (request.content_length is None or request.content_length > MAX_FORM_BYTES):
        return Response(render_template("ops/refused.html", reason="That request is too large."), status=413)
    return None


def _add_security_headers(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


@ops_console.context_processor
def formatters() -> dict[str, object]:
    return dict(FORMATTERS)


for blueprint in (ops_sign_in, ops_console):
    blueprint.before_request(_refuse_large_forms)
    blueprint.after_request(_add_security_headers)


@ops_sign_in.get("/ops/sign-in/<link_token>")
def show_sign_in(link_token: str) -> Response:
    """Ask for a click: opening the link changes nothing, so a link preview or a scanner cannot use it up."""
    if not is_sign_in_link_usable(link_token):
        return _link_refused()
    return Response(render_template("ops/sign_in.html", link_token=link_token))


@ops_sign_in.post("/ops/sign-in")
def sign_in() -> Response:
    try:
        session_token = open_session(
            request.form.get("link_token", ""), session_seconds=current_app.config["OPS_SESSION_SECONDS"]
        )
    except SignInLinkRefusedError:
        return _link_refused()
    response = _see_other(url_for("ops_console.show_console"))
    set_session_cookie(response, session_token)
    return response


@ops_sign_in.get("/ops/signed-out")
def show_signed_out() -> Response:
    return Response(render_template("ops/signed_out.html"))


@ops_console.get("/ops")
def show_console() -> Response:
    return Response(
        render_template(
            "ops/console.html",
            figures=console_figures(),
            refresh_seconds=current_app.config["OPS_REFRESH_SECONDS"],
            csrf_token=csrf_token(g.ops_session_token),
        )
    )


@ops_console.post("/ops/sign-out")
def sign_out() -> Response:
    if not is_csrf_token_valid(request.form.get("csrf_token", ""), g.ops_session_token):
        return Response(
            render_template("ops/refused.html", reason="That form was not sent from this console."), status=403
        )
    end_session(g.ops_session_token)
    response = _see_other(url_for("ops_sign_in.show_signed_out"))
    clear_session_cookie(response)
    return response


def _link_refused() -> Response:
    reason = "This sign-in link has expired or has already been used. Ask for a new one with `flask ops sign-in-link`."
    return Response(render_template("ops/refused.html", reason=reason), status=410)


def _see_other(location: str) -> Response:
    return Response(status=303, headers={"Location": location})

"""Check and build one templated letter from the public API, in Notify's order (letters.md §1, steps 4 to 8).

Permission `letter`, then the template (found, a letter, not deleted, personalisation complete for its body,
heading and contact block, not empty), then the key (team keys never; trial services only with a test key), then
the address. Nothing is stored here: `send_notification.store_send` stores and queues what this returns.
"""

from __future__ import annotations

import secrets
import string
import uuid

from app.errors import BadRequestError
from app.letters.postal_address import PostalAddress, check_postal_address
from app.models import KeyType, LetterPostage, NotificationType, ServicePermissionType
from app.notification_status import NotificationStatus
from app.notifications import validators
from app.notifications.personalisation import check_personalisation, check_personalisation_size
from app.notifications.prepare_notification import ApiCaller, LetterRequest, PreparedNotification, Recipient
from app.notifications.templates_for_sending import SendableTemplate, get_template_for_sending
from app.templating.letter import fill_letter_body, render_letter_subject

TEAM_KEY_MESSAGE = "Cannot send letters with a team api key"
TRIAL_MODE_MESSAGE = "Cannot send letters when service is in trial mode"
REFERENCE_ALPHABET = string.ascii_uppercase + string.digits
REFERENCE_LENGTH = 16


def create_letter_reference() -> str:
    """The 16-character `[A-Z0-9]` reference a letter is printed and returned under."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def check_key_can_send_letters(caller: ApiCaller) -> None:
    check_key_type_can_send_letters(caller.key_type, is_restricted=caller.service.restricted)


def check_key_type_can_send_letters(key_type: str, *, is_restricted: bool) -> None:
    """Team keys never send letters; a trial service sends them only with a test key (a single letter or a job)."""
    if key_type == KeyType.TEAM:
        raise BadRequestError(TEAM_KEY_MESSAGE, 403)
    if is_restricted and key_type != KeyType.TEST:
        raise BadRequestError(TRIAL_MODE_MESSAGE, 403)


def initial_letter_status(key_type: str, *, fake_test_delivery: bool) -> NotificationStatus:
    """A live letter waits for its PDF and the print run; a test key's is never printed (letters.md §2.6)."""
    if key_type != KeyType.TEST:
        return NotificationStatus.CREATED
    return NotificationStatus.SENDING if fake_test_delivery else NotificationStatus.DELIVERED


def letter_postage(template: SendableTemplate, address: PostalAddress) -> str:
    return postage_for(template.postage, address)


def postage_for(template_postage: str | None, address: PostalAddress) -> str:
    """The template's postage (second when it has none), or the address's international zone."""
    return address.postage_zone or template_postage or LetterPostage.SECOND.value


def letter_recipient(address: PostalAddress) -> Recipient:
    to = "\n".join(address.normalised_lines)
    return Recipient(to=to, normalised_to="".join(to.lower().split()), is_international=address.is_international)


def prepare_letter(
    request: LetterRequest, caller: ApiCaller, *, admin_base_url: str, fake_test_delivery: bool
) -> PreparedNotification:
    """Run the checks of steps 4 to 8 and build the letter. Raises BadRequestError (403 for the key checks) or
    ValidationError (the address)."""
    service = caller.service
    validators.check_service_can_send(service, NotificationType.LETTER)
    template = _checked_template(service.id, request)
    check_personalisation(
        request.personalisation,
        NotificationType.LETTER,
        service_id=service.id,
        contact_link=service.contact_link,
        admin_base_url=admin_base_url,
    )
    validators.check_size_before_rendering(template, request.personalisation)
    check_personalisation_size(request.personalisation)
    body = fill_letter_body(template.content, request.personalisation)
    if not body:
        raise BadRequestError(validators.EMPTY_MESSAGE)
    check_key_can_send_letters(caller)
    address = check_postal_address(
        request.personalisation,
        can_send_international=service.has_permission(ServicePermissionType.INTERNATIONAL_LETTERS),
    )
    return PreparedNotification(
        id=uuid.uuid4(),
        request=request,
        caller=caller,
        template=template,
        recipient=letter_recipient(address),
        personalisation=request.personalisation,
        sanitised_content={},
        body=body,
        subject=render_letter_subject(template.subject or "", request.personalisation),
        reply_to_text=template.letter_contact_block,
        postage=letter_postage(template, address),
        reference=create_letter_reference(),
        initial_status=initial_letter_status(caller.key_type, fake_test_delivery=fake_test_delivery),
    )


def _checked_template(service_id: uuid.UUID, request: LetterRequest) -> SendableTemplate:
    template = get_template_for_sending(service_id, request.template_id)
    validators.check_template_is_for_notification_type(template, NotificationType.LETTER)
    validators.check_template_is_active(template)
    validators.check_personalisation_is_complete(template, request.personalisation)
    return template

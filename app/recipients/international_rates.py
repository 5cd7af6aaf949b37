"""International SMS rates: the billing multiplier and whether delivery receipts come back, by calling code.

Source: GOV.UK Notify's `notifications_utils/international_billing_rates.yml` (alphagov/notifications-utils at
commit 4825b66b949b147f3527a703c53a9d42a52f3706): `billable_units` is the multiplier, and receipts come back only
where `attributes.dlr` is `YES` (`Carrier DLR`, `NO`, blank or unknown mean no receipts; such messages stay `sent`).
One deliberate difference: +7 is 10 here, the figure in Herald's spec (notify-reference §9.4); that yml has 4.

Only common destinations are listed. Any other country code gets `DEFAULT_RATE`: multiplier 4, the figure that
yml uses where its supplier sheet had none, and no receipts, so a message is never left waiting for a receipt
that will not come.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InternationalRate:
    rate_multiplier: int
    has_delivery_receipts: bool


UK_RATE = InternationalRate(rate_multiplier=1, has_delivery_receipts=True)
DEFAULT_RATE = InternationalRate(rate_multiplier=4, has_delivery_receipts=False)

_RATES_BY_PREFIX: dict[str, tuple[int, bool]] = {
    "1": (1, False),  # United States, Canada, Dominican Republic (Carrier DLR)
    "7": (10, True),  # Russian Federation, Kazakhstan
    "20": (3, True),  # Egypt
    "27": (2, True),  # South Africa
    "30": (2, True),  # Greece
    "31": (3, True),  # Netherlands
    "32": (3, True),  # Belgium
    "33": (2, True),  # France
    "34": (2, True),  # Spain
    "36": (3, True),  # Hungary
    "39": (2, True),  # Italy
    "40": (2, True),  # Romania
    "41": (2, True),  # Switzerland
    "43": (3, True),  # Austria
    "44": (1, True),  # Guernsey, Isle of Man, Jersey (the UK itself is UK_RATE)
    "45": (2, True),  # Denmark
    "46": (2, True),  # Sweden
    "47": (3, True),  # Norway
    "48": (2, True),  # Poland
    "49": (4, True),  # Germany
    "52": (2, False),  # Mexico (Carrier DLR)
    "54": (3, False),  # Argentina
    "55": (2, True),  # Brazil
    "61": (2, True),  # Australia
    "62": (2, True),  # Indonesia
    "63": (1, True),  # Philippines
    "64": (3, True),  # New Zealand
    "65": (1, True),  # Singapore
    "81": (3, True),  # Japan
    "82": (2, True),  # Korea, Republic of
    "86": (2, False),  # China (Carrier DLR)
    "90": (2, True),  # Turkey
    "91": (3, True),  # India
    "92": (2, True),  # Pakistan
    "234": (4, True),  # Nigeria
    "254": (1, True),  # Kenya
    "350": (2, True),  # Gibraltar
    "351": (2, True),  # Portugal
    "352": (2, True),  # Luxembourg
    "353": (3, True),  # Ireland
    "354": (2, True),  # Iceland
    "356": (2, True),  # Malta
    "357": (2, True),  # Cyprus
    "358": (3, True),  # Finland
    "359": (4, True),  # Bulgaria
    "370": (2, True),  # Lithuania
    "371": (2, True),  # Latvia
    "372": (2, True),  # Estonia
    "380": (4, True),  # Ukraine
    "420": (4, True),  # Czech Republic
    "421": (2, True),  # Slovakia
}

INTERNATIONAL_RATES: dict[str, InternationalRate] = {
    prefix: InternationalRate(rate_multiplier, has_delivery_receipts)
    for prefix, (rate_multiplier, has_delivery_receipts) in _RATES_BY_PREFIX.items()
}


def international_rate(country_prefix: str) -> InternationalRate:
    """Return the rate for a country calling code such as `"33"`, or `DEFAULT_RATE` for one not listed."""
    return INTERNATIONAL_RATES.get(country_prefix, DEFAULT_RATE)

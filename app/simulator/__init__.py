"""A stand-in for Herald's providers: speaks MMG, Firetext and SES v2, and sends their receipts back to Herald.

Run it with ``python -m app.simulator --port 6030 --herald-url http://127.0.0.1:6011`` (``--help`` lists every
flag; each defaults to ``SIMULATOR_<FLAG>`` from the environment). Point Herald at it with
``MMG_URL=<simulator>/mmg``, ``FIRETEXT_URL=<simulator>/firetext``, ``SES_ENDPOINT_URL=<simulator>/ses`` and
trust its SNS certificate with ``SNS_TRUSTED_CERT_URL_PREFIXES=<simulator>/``.

- ``POST /mmg``, ``POST /firetext``, ``POST /ses/v2/email/outbound-emails``: the providers' send APIs.
- Recipients decide the receipts: numbers ending 7700900003 fail temporarily, 7700900002 permanently;
  ``temp-fail@simulator.notify`` bounces softly, ``perm-fail@simulator.notify`` hard; all else is delivered.
- ``GET|POST|DELETE /_simulator/config``: failure modes (error_rate, latency_ms, answer_delay_ms - accept, then
  answer late -, outage, no_receipt, receipt_delay_ms), global or per provider, e.g. ``{"mmg": {"outage": true}}``.
- ``GET|DELETE /_simulator/messages?provider=&reference=&to=``, ``GET|DELETE /_simulator/stats``,
  ``GET /_simulator/health``, ``GET /_simulator/sns-signing-cert.pem`` (the certificate, also served where its SNS
  messages point: ``/SimpleNotificationService-<hex>.pem``).
"""

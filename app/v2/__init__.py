"""The public API v2, wire-compatible with GOV.UK Notify (service API-key auth, v2 error envelope)."""

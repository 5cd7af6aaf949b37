"""Data retention: personal data is kept for the service's retention period, then removed (nightly)."""

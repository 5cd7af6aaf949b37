"""The print provider client (a DVLA-style print API)."""

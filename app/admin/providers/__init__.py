"""Admin endpoints for the providers: their weights, active flags and history."""

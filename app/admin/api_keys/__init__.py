"""Admin endpoints for API keys."""

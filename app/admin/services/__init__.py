"""Admin endpoints for services and their settings."""

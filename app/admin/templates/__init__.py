"""Admin endpoints for templates."""

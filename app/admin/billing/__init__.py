"""Admin endpoints for a service's usage, its cost and its free SMS allowance."""

"""Admin endpoints for a service's letter contact blocks."""

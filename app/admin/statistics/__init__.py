"""Admin endpoint for a service's notification statistics."""

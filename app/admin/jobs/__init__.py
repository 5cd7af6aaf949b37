"""Admin endpoints for bulk sends (jobs): create, read with progress, cancel."""

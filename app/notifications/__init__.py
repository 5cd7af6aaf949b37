"""Accepting one notification from the public API: validate it, store it, and queue it for delivery."""

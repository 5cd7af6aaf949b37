"""Delivery: hand notifications to providers (send_to_providers), choose providers and keep their weights."""

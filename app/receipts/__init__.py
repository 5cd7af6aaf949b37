"""Provider delivery receipts: endpoints, each provider's code map, and applying a receipt to a notification."""

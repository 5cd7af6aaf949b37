"""Callbacks to client services: delivery status, complaints and inbound text messages, signed and retried."""

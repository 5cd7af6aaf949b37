"""Clients for the outside services Herald talks to: SMS and email providers, and statsd."""

"""Virus scanning of uploaded files: ClamAV's clamd in production, a development scanner otherwise."""

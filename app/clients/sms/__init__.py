"""Clients for the SMS providers: MMG (JSON) and Firetext (form), over pooled HTTP sessions."""

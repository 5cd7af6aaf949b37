"""Inbound SMS: text messages people send to a service's number, passed on to us by MMG and Firetext."""

"""Sending limits kept in Redis: the per-minute token bucket and the daily counters, both O(1) per request."""

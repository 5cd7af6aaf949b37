"""Support search: find a service's notifications by recipient, reference or id, with their status timelines."""

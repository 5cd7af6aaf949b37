"""The operator console at /ops: sign-in by one-time link, then a server-rendered page of Herald's live figures."""

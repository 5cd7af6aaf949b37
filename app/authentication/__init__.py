"""Authentication: service API-key JWTs for the public API, the admin client JWT for the internal API."""

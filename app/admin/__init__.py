"""The internal admin API: manage services, API keys and templates (admin client JWT; {"result": "error"} errors)."""

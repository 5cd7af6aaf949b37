"""All SQL lives here: one module per aggregate, functions named dao_<verb>_<thing>."""

"""Tests of the provider simulator (a package, so their mirrored names cannot clash with other test modules)."""

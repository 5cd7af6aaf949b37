"""Bulk sends: read a recipient file, validate every row, store the job, and turn its rows into notifications."""

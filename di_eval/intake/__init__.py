"""Collecting data from municipalities: the form, reading what comes back, validating and ingesting it."""

"""Queries a maintenance crew asks of the twin: what is hidden where, what is near a point."""

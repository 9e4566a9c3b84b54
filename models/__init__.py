"""Typed domain records of the campus twin: sites, rooms, services, codes and errors.

Only numpy and the standard library are used here; nothing in this package does I/O.
"""

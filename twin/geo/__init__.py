"""Georeferencing and maps: site frames on the earth, GeoJSON layers, IMDF, utility lines."""

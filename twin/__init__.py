"""The campus twin: the store, the room-code registry, federation, the graph and queries.

`import twin` loads neither fastapi, pyvista nor ifcopenshell; the importer pulls in
`bim_import` (and so ifcopenshell) only when an import runs.
"""

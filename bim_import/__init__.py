"""IFC (IFC2X3, IFC4, IFC4X3) in, plain `models` records and meshes out.

The only package that imports ifcopenshell. `read_model(path)` reads one file;
`bim_import.sample` writes the generated sample campus.
"""

"""What people see of the twin: the GLB of each building, the colour palette, the web page.

`viewer.gltf` builds one GLB per building from the stored meshes (trimesh) and caches
it by content hash; `viewer.palette` is the one colour definition shared by the page
and the snapshots; `viewer.web` holds the three.js client and finds its built files.
Heavy or optional libraries (trimesh, pyvista) load inside the functions that need
them, so `import viewer` stays light; nothing here imports `api` or fastapi.
"""

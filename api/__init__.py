"""The outside of the twin: the `twin` command line (and, later, the FastAPI app).

Nothing imports `api`.
"""

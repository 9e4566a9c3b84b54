"""The three.js web client: sources in `src/`, built by `npm run build` into `dist/`.

`dist/` is not in git: `make` runs `npm ci` and `npm run build` here (esbuild bundles
three.js and the client into one ES module), and the API serves `dist_dir()` at `/`.

>>> dist_dir().name
'dist'
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["dist_dir", "source_dir"]


def source_dir() -> Path:
    """The folder with `package.json`, `build.mjs` and `src/`."""
    return Path(__file__).resolve().parent


def dist_dir() -> Path:
    """The folder of the built client (`index.html`, `app.js`, `style.css`), built or not."""
    return source_dir() / "dist"

"""The generated sample campus: IFC4 models of a small Wenzhou campus and an answer file.

`write_sample_campus(out, buildings, seed, split)` is what `twin sample` calls. The
generator plans the campus as plain data, writes it with ifcopenshell.api, and
derives the answer file from the plan, so it is an independent oracle for the
importer: it never imports `twin`, `models` or `api`.
"""

from bim_import.sample.campus import (
    SampleFiles,
    build_sample_campus,
    plan_sample_campus,
    write_sample_campus,
)

__all__ = ["SampleFiles", "build_sample_campus", "plan_sample_campus", "write_sample_campus"]

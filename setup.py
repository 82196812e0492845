"""Build the compiled kernel (tagger/_kernel.pyx) and ship labels.yaml and models/default inside the wheel.

Everything else about the package is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# what a wheel carries under tagger/_data/ (source path -> path inside the package)
DATA = {"labels.yaml": "_data/labels.yaml", "models/default": "_data/models/default"}


class BuildPyWithData(build_py):
    """build_py that also copies the shipped taxonomy and default model into the package (not for editable
    installs, which find them at the repository root)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        package = Path(self.build_lib) / "tagger"
        for source, target in DATA.items():
            src, dst = ROOT / source, package / target
            if not src.exists():
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
            else:
                shutil.copy2(src, dst)


extensions = [
    Extension(
        "tagger._kernel",
        ["tagger/_kernel.pyx"],
        include_dirs=[numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-O3", "-ffp-contract=off"],  # no fused multiply-add: the same sums as the references
    )
]

setup(
    ext_modules=cythonize(extensions, compiler_directives={"language_level": "3"}),
    cmdclass={"build_py": BuildPyWithData},
)

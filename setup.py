"""The optional compiled part; everything else is declared in pyproject.toml.

``optional=True``: without a C compiler (or Python headers) the install still
succeeds and the library uses its pure-Python value scan, which gives the same
answers more slowly.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[Extension("cio_analytics._speedups", ["cio_analytics/_speedups.c"], optional=True)]
)

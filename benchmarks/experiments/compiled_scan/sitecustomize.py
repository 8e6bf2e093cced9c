"""Experiment only: with CIO_EXPERIMENT_CSCAN=1, track() uses the compiled scan.

Python imports this file at start-up when its folder is on PYTHONPATH, in the
benchmark's workload processes too (they inherit the environment).
"""

import os

if os.environ.get("CIO_EXPERIMENT_CSCAN"):
    import _cscan

    import cio_analytics._builders

    cio_analytics._builders.scan_dict = _cscan.scan_dict

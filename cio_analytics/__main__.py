"""``python -m cio_analytics``: the command line (see :mod:`cio_analytics.cli`)."""

from cio_analytics.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

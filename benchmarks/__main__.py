"""Entry point of `python -m benchmarks` (what `make bench` runs)."""

import sys

from benchmarks.runner import main

if __name__ == "__main__":
    sys.exit(main())

"""python -m affectkit: see affectkit.cli."""
import sys

from .cli import main

sys.exit(main())

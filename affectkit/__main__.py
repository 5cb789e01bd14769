"""python -m affectkit: see affectkit.tools.cli."""
import sys

from .tools.cli import main

sys.exit(main())

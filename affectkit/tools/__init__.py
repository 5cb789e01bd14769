"""The kit's tools: the command line, the notebook runner, the gallery, the README report, benchmarks.

    python -m affectkit extract ...           # cli
    python -m affectkit.tools.runner --profile lab --out build
    python -m affectkit.tools.report build/results README.md
"""

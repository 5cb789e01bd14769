"""Argument types for the kit's command lines (cli, runner, bench): a bad value names the rule.

    parser.add_argument("--epochs", type=positive_int)
"""

import argparse


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def positive_number(text: str) -> float:
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def seed(text: str) -> int:
    value = int(text)
    if not 0 <= value < 2 ** 32:
        raise argparse.ArgumentTypeError(f"must be in [0, 2**32), got {value}")
    return value


# argparse names the type in "invalid <name> value: 'x'"
positive_int.__name__ = seed.__name__ = "integer"
positive_number.__name__ = "number"

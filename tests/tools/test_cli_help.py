"""The command line answers --help and --version without loading torch (so in a fraction of a second),
and every argument of every command says what it is for."""

import subprocess
import sys

import pytest

from affectkit.tools import cli


def test_help_and_version_load_no_torch():
    code = ("import sys, contextlib, io\n"
            "from affectkit.tools import cli\n"
            "for argv in (['--help'], ['train', '--help'], ['predict', '--help'], ['sweep', '--help'], ['--version']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        try:\n"
            "            cli.main(argv)\n"
            "        except SystemExit:\n"
            "            pass\n"
            "print(sorted(m for m in ('torch', 'transformers', 'sklearn', 'pandas') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_argument_has_help():
    top = cli.parser()
    missing = []
    for name, sub in top._subparsers._group_actions[0].choices.items():
        for action in sub._actions:
            if action.dest not in ("help",) and sub.add_help and not action.help:
                missing.append(f"{name} {action.option_strings or action.dest}")
    assert not missing, missing


def test_version(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.startswith("affectkit ")



def test_the_sweep_arguments_have_help():
    from affectkit.tools import sweep

    missing = [a.dest for a in sweep.parser("affectkit sweep")._actions if a.dest != "help" and not a.help]
    assert not missing, missing

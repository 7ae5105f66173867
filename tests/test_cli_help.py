"""Every argument of every subcommand has help, and every subcommand ends with examples."""

from __future__ import annotations

import argparse

import pytest

from duikou import __version__
from duikou.app.cli import _subparsers, build_parser, main


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in _subparsers(parser):
        for name, child in action.choices.items():
            yield from _walk(child, (*path, name))


def test_every_argument_has_help():
    missing = [f"duikou {' '.join(path)}: {a.dest}"
               for path, parser in _walk(build_parser()) for a in parser._actions
               if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))
               and not (a.help or "").strip()]
    assert not missing, "arguments without help:\n" + "\n".join(missing)


def test_every_command_ends_with_an_example():
    leaves = [(path, p) for path, p in _walk(build_parser()) if path and not _subparsers(p)]
    assert len(leaves) > 20
    bare = [" ".join(path) for path, p in leaves
            if "examples:" not in (p.epilog or "") or "duikou " + path[0] not in p.epilog]
    assert not bare, f"subcommands without examples: {bare}"


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"duikou {__version__}"


def test_the_speed_benchmark_takes_help_rather_than_reading_it_as_a_corpus(capsys):
    from duikou.baselines import bench

    with pytest.raises(SystemExit) as exc:
        bench.main(["--help"])
    assert exc.value.code == 0
    assert "usage: python -m duikou.baselines.bench" in capsys.readouterr().out

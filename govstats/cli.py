"""The ``govstats`` command line. Each subcommand is added by one ``add_*`` function below."""

from __future__ import annotations

import argparse
import sys

from govstats.errors import GovstatsError


def add_parse(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("parse", help="read reports and write their tidy rows (CSV to stdout by default)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.set_defaults(func=_not_yet)


def _not_yet(args: argparse.Namespace) -> int:
    print(f"govstats {args.command}: not implemented yet", file=sys.stderr)
    return 2


#: subcommand builders, in the order ``--help`` lists them
COMMANDS = [add_parse]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govstats",
        description="Read 政府信息公开工作年度报告 into tidy data, check them, store them and brief on them.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except GovstatsError as exc:  # a clean one-line message, never a traceback
        print(f"govstats: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

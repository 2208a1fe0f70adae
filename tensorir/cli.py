"""``tensorir``: the command for what lives outside a program.

    tensorir cache list        the compile cache's entries, newest first
    tensorir cache size        their number and total size
    tensorir cache clear       remove them all
    tensorir cache dir         where the cache is
    tensorir export SAVED --name predict -o libpredict.so
                               a saved function (f.save) as a shared library and predict.h

``tensorir cache --dir DIR ...`` names another cache directory than
``TENSORIR_FLAGS=cache_dir=...`` or the default. Mistakes are a line on stderr and a non-zero
exit status (2 for a usage mistake, as argparse's), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from tensorir.config import config


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def _cache(args: argparse.Namespace) -> int:
    from tensorir.runtime import cache

    if args.dir:
        config.cache_dir = args.dir
    config.cache = "on"
    path = cache.directory()
    if path is None:
        print("tensorir: the compile cache's directory cannot be used (see the warning)",
              file=sys.stderr)  # fmt: skip
        return 1
    if args.action == "dir":
        print(path)
    elif args.action == "list":
        entries = cache.listing(path)
        for e in entries:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.modified))
            print(f"{e.key[:16]}  {_size(e.size):>10}  {when}  {e.what}")
        total = sum(e.size for e in entries)
        print(f"{len(entries)} entries, {_size(total)} in {path}")
    elif args.action == "size":
        entries = cache.listing(path)
        print(f"{len(entries)} entries, {_size(sum(e.size for e in entries))} in {path}")
    else:
        n, freed = cache.clear(path)
        print(f"removed {n} entries ({_size(freed)}) from {path}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from tensorir.runtime import load
    from tensorir.runtime.export import ExportError

    try:
        f = load(args.saved)
        library, header = f.export(args.output or f"lib{args.name}.so", args.name)
    except (OSError, ValueError, TypeError, RuntimeError) as e:  # ExportError included
        said = f"tensorir {e}" if isinstance(e, ExportError) else f"tensorir export: {e}"
        print(said, file=sys.stderr)
        return 1
    print(f"wrote {library} and {header}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tensorir", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser("cache", help="list, size or clear the on-disk compile cache")
    c.add_argument("action", choices=("list", "size", "clear", "dir"))
    c.add_argument("--dir", help="the cache directory (default: config.cache_dir)")
    e = commands.add_parser("export", help="a saved function as a C shared library and header")
    e.add_argument("saved", help="a file written by f.save(path)")
    e.add_argument("--name", required=True, help="the C function's name (a C identifier)")
    e.add_argument("-o", "--output", help="the library's path (default: lib<name>.so)")
    args = parser.parse_args(argv)
    return _cache(args) if args.command == "cache" else _export(args)


if __name__ == "__main__":
    sys.exit(main())

"""Run an unmodified Theano script on tensorir.

    python -m tensorir.compat.theano script.py [args...]
    python -m tensorir.compat.theano -c "import theano; ..."

While the script runs, ``import theano`` (and ``theano.tensor``, ``theano.tensor.nnet``,
``theano.tensor.shared_randomstreams``, ``theano.printing``, ``theano.gradient``,
``theano.sandbox.rng_mrg``, ...) gives the tensorir module of the same name: an import hook
of this process only, so nothing named ``theano`` is installed anywhere. ``THEANO_FLAGS``
is read as ``TENSORIR_FLAGS`` (options tensorir does not have are ignored with a warning).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import runpy
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

PREFIX = "theano"
TARGET = "tensorir"
KNOWN_FLAGS = ("floatX", "mode", "device")


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, module: ModuleType):
        self.module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        pass


class TheanoAliases(importlib.abc.MetaPathFinder):
    """Finds ``theano`` and ``theano.X`` as ``tensorir`` and ``tensorir.X``."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != PREFIX and not fullname.startswith(PREFIX + "."):
            return None
        real = TARGET + fullname[len(PREFIX) :]
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as e:
            if e.name == real:
                raise ModuleNotFoundError(
                    f"No module named {fullname!r}: tensorir has no {real!r} (the Theano "
                    f"compatibility layer maps {PREFIX}.X to {TARGET}.X)",
                    name=fullname,
                ) from None
            raise
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))


def _flags_from_theano() -> None:
    flags = os.environ.get("THEANO_FLAGS")
    if not flags or "TENSORIR_FLAGS" in os.environ:
        return
    kept = []
    for item in filter(None, (s.strip() for s in flags.split(","))):
        key = item.partition("=")[0].strip()
        if key in KNOWN_FLAGS:
            kept.append(item)
        else:
            warnings.warn(f"THEANO_FLAGS: tensorir has no option {key!r}; ignored", stacklevel=2)
    os.environ["TENSORIR_FLAGS"] = ",".join(kept)
    from tensorir.config import apply_flags, config  # already imported with the package

    apply_flags(config, os.environ["TENSORIR_FLAGS"])


def install() -> None:
    """Make ``import theano`` import tensorir in this process."""
    if not any(isinstance(f, TheanoAliases) for f in sys.meta_path):
        sys.meta_path.insert(0, TheanoAliases())


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    usage = "usage: python -m tensorir.compat.theano (script.py | -c code) [args...]"
    if not args or args[0] in ("-h", "--help"):
        print(usage)
        print(__doc__.split("\n\n")[2] if __doc__ else "")
        raise SystemExit(0 if args else 2)
    _flags_from_theano()
    install()
    if args[0] == "-c":
        if len(args) < 2:
            raise SystemExit(usage)
        sys.argv = ["-c", *args[2:]]
        code = compile(args[1], "<string>", "exec")
        exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
        return
    script = args[0]
    if not os.path.exists(script):
        raise SystemExit(f"tensorir.compat.theano: no such file: {script}")
    sys.argv = [script, *args[1:]]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()

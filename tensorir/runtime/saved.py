"""Saved functions: a compiled function in one file, loaded again by the runtime alone.

``save(f, path)`` (``f.save(path)``) writes a zip of numpy arrays (``numpy.savez``, no
pickle; every member checked by its CRC when read):

- ``meta``: JSON text: ``format`` (``FORMAT``), ``runtime_abi`` (``abi.RUNTIME_ABI``), the
  function's name, its calling convention (``abi.FunctionABI``), its inputs' types, how it
  returns its outputs, its shared variables' types and update contract, and what the code
  was compiled for (target triple, CPU, features, LLVM optimisation level);
- ``object_code``: the machine code, as the JIT compiled it;
- ``llvm_ir``: the LLVM IR as emitted (what of the runtime the code calls; ``export``
  compiles it again as position-independent code);
- ``shared_<k>``: the value of shared variable k when saved.

``load(path)`` returns a ``runtime.function.Function`` calling that code, with shared
variables of its own (``shared_variables``, each with ``get_value``/``set_value``), in a
process that imports numpy and llvmlite only.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from tensorir.abi import RUNTIME_ABI, FunctionABI
from tensorir.runtime.cache import write_atomically

FORMAT = 1
"""The saved files' format; a file of another format is refused, saying so."""

KIND = "tensorir.function"


def save(f: Any, path: str | os.PathLike[str]) -> None:
    """Write the compiled CPU function ``f`` (a ``runtime.function.Function``) to ``path``
    (atomically: a reader never sees half a file)."""
    from tensorir.runtime.jit import JITLibrary, host

    library = getattr(f.kernel, "owner", None)
    if not isinstance(library, JITLibrary) or library.object_code is None:
        raise TypeError(
            f"{f.name}: only a function compiled for the CPU in FAST_RUN or FAST_COMPILE mode "
            f"can be saved (this one runs through {type(f.kernel).__name__}); compile it with "
            "device='cpu' and a mode that does not check it against a reference"
        )
    cpu, features = host()
    import llvmlite.binding as llvm

    meta = {
        "kind": KIND,
        "format": FORMAT,
        "runtime_abi": RUNTIME_ABI,
        "name": f.name,
        "abi": f.kernel.abi.to_dict(),
        "inputs": [
            {"name": s.name, "dtype": s.dtype, "broadcastable": list(s.broadcastable)}
            for s in f.inputs
        ],
        "outputs_as_list": f.outputs_as_list,
        "output_keys": None if f.output_keys is None else list(f.output_keys),
        "allow_input_downcast": f.allow_input_downcast,
        "float_x": f.float_x,
        "shared": [
            {
                "name": c.name,
                "dtype": c.dtype,
                "broadcastable": list(c.broadcastable),
                "strict": c.strict,
                "allow_downcast": c.allow_downcast,
                "float_x": c.float_x,
            }
            for c in f.shared
        ],
        "target": {
            "triple": llvm.get_process_triple(),
            "cpu": cpu,
            "features": features,
            "opt_level": library.opt_level,
        },
    }
    arrays: dict[str, np.ndarray] = {
        "meta": np.frombuffer(json.dumps(meta).encode(), np.uint8),
        "object_code": np.frombuffer(library.object_code, np.uint8),
        "llvm_ir": np.frombuffer(library.llvm_ir.encode(), np.uint8),
    }
    for k, container in enumerate(f.shared):
        arrays[f"shared_{k}"] = np.asarray(container.get())
    target = Path(path)
    write_atomically(target, lambda out: np.savez(out, **arrays), f".{target.name}.")


def load(path: str | os.PathLike[str]) -> Any:
    """The function saved in ``path``: a callable behaving as the saved one, with shared
    variables of its own (their values as saved). ValueError if ``path`` is not a saved
    function of this format or is damaged; RuntimeError if this CPU cannot run its code."""
    from tensorir.runtime.function import Function, InputSpec
    from tensorir.runtime.jit import JITLibrary
    from tensorir.runtime.kernel import Kernel
    from tensorir.runtime.shared import SharedContainer

    try:
        with open(path, "rb") as file:
            data = file.read()
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta = json.loads(z["meta"].tobytes())
            if not isinstance(meta, dict) or meta.get("kind") != KIND:
                raise ValueError("its meta data is not a tensorir function's")
            _check_format(meta)
            object_code = z["object_code"].tobytes()
            llvm_ir = z["llvm_ir"].tobytes().decode()
            values = [z[f"shared_{k}"] for k in range(len(meta["shared"]))]
            abi = FunctionABI.from_dict(meta["abi"])
            target = meta["target"]
    except _Refused as e:
        raise ValueError(f"{os.fspath(path)}: {e}") from None
    except (ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as e:
        raise ValueError(
            f"{os.fspath(path)}: not a tensorir saved function, or damaged ({e})"
        ) from None
    _check_target(os.fspath(path), target)
    library = JITLibrary(llvm_ir, int(target["opt_level"]), object_code=object_code)
    kernel = Kernel(abi, library.address(abi.name), owner=library)
    shared = [
        SharedContainer(
            value,
            s["dtype"],
            tuple(s["broadcastable"]),
            s["name"],
            s["strict"],
            s["allow_downcast"],
            s["float_x"],
        )  # fmt: skip
        for s, value in zip(meta["shared"], values, strict=True)
    ]
    f = Function(
        kernel,
        [InputSpec(i["name"], i["dtype"], tuple(i["broadcastable"])) for i in meta["inputs"]],
        meta["outputs_as_list"],
        meta["allow_input_downcast"],
        meta["float_x"],
        meta["name"],
        shared,
        meta["output_keys"],
    )
    f.shared_variables = shared
    f.llvm_ir = llvm_ir
    return f


class _Refused(ValueError):
    """A saved function of another format or runtime: said as it is, not as damage."""


def _check_format(meta: dict[str, Any]) -> None:
    if meta.get("format") != FORMAT:
        raise _Refused(
            f"a saved function of format {meta.get('format')}; this tensorir reads format "
            f"{FORMAT}: save it again with this version"
        )
    if meta.get("runtime_abi") != RUNTIME_ABI:
        raise _Refused(
            f"a saved function calling runtime ABI {meta.get('runtime_abi')}; this tensorir's "
            f"runtime is ABI {RUNTIME_ABI}: save it again with this version"
        )


def _check_target(path: str, target: dict[str, Any]) -> None:
    """RuntimeError unless this process's CPU runs code compiled for ``target``."""
    import llvmlite.binding as llvm

    from tensorir.runtime.jit import host

    cpu, features = host()
    arch = llvm.get_process_triple().split("-")[0]
    if target["triple"].split("-")[0] != arch:
        raise RuntimeError(
            f"{path}: compiled for {target['triple']}; this machine is {llvm.get_process_triple()}"
        )
    have = {f[1:] for f in features.split(",") if f.startswith("+")}
    need = {f[1:] for f in target["features"].split(",") if f.startswith("+")}
    missing = sorted(need - have)
    if missing:
        raise RuntimeError(
            f"{path}: compiled for a {target['cpu']} CPU with {', '.join(missing)}, which this "
            f"CPU ({cpu}) lacks: save it again on a machine like this one"
        )

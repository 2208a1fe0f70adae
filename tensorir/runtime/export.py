"""A compiled function as a shared library with a C header, for programs in any language.

``export(f, library, name)`` (``f.export(...)``, ``tensorir export saved.tir --name predict
-o libpredict.so``) writes ``libpredict.so`` and ``predict.h`` next to it:

- the function's LLVM IR compiled again, as position-independent code for this CPU, with
  the same optimisation; BLAS calls go to the same OpenBLAS that numpy bundles (linked by
  its path), libm's functions to the system's libm;
- ``predict.c``'s code (generated here, compiled by the system's C compiler, ``cc`` or
  ``$CC``): the runtime helpers the code calls (``tir_alloc``/``tir_release`` as
  ``malloc``/``free``; ``tir_parallel_for`` running the whole loop on the calling thread),
  and the entry point ``int predict(...)``: it checks the arguments' sizes as the Python
  call does (a negative size, a size overflowing, a broadcastable dim not of size 1), copies
  an input that overlaps a buffer the code writes, calls the code, formats the message of a
  failed run-time check, hands the outputs to the caller and commits the updates of the
  shared variables, all or nothing;
- the shared variables' values, embedded (``.incbin``) as they were when exported: the
  library keeps its own copies, which each call reads and updates (under one lock).

C API (see the header it writes): ``int predict(inputs..., outputs...)`` returns
``PREDICT_OK`` (0), ``PREDICT_ERROR`` (1: bad arguments or a failed run-time check,
``predict_error()`` says which, as the Python exception would) or ``PREDICT_NO_MEMORY``
(2). An input array is a pointer to its elements (row-major, contiguous) and a pointer to
its sizes; a scalar is passed by value. An output array is returned as a new buffer (free it
with ``predict_free``) and its sizes written to the caller's array; a scalar output is
written through its pointer. ``predict_get_shared(k, &data, shape)`` copies shared variable
``k``'s current value.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from tensorir.abi import (
    ALLOC,
    BLAS_PREFIX,
    CHECK_EXCEPTIONS,
    LIBM_PREFIX,
    MAX_CHECK_VALUES,
    PARALLEL_FOR,
    RELEASE,
    FunctionABI,
)

C_TYPES = {
    "float64": "double",
    "float32": "float",
    "int64": "int64_t",
    "int32": "int32_t",
    "int16": "int16_t",
    "int8": "int8_t",
    "uint64": "uint64_t",
    "uint32": "uint32_t",
    "uint16": "uint16_t",
    "uint8": "uint8_t",
    "bool": "uint8_t",
    "complex128": "double _Complex",
    "complex64": "float _Complex",
}
"""A dtype's C type in the header (``bool``: one byte, 0 or 1)."""

_LLVM_C = {"double": "double", "float": "float", "i64": "int64_t", "i32": "int32_t",
           "i16": "int16_t", "i8": "int8_t", "ptr": "void *", "void": "void"}  # fmt: skip


class ExportError(RuntimeError):
    """The library could not be built (no C compiler, a name that is not a C identifier, a
    linker's error: its output is in the message)."""


def export(f: Any, library: str | os.PathLike[str], name: str) -> tuple[Path, Path]:
    """Write ``f`` (a runtime ``Function`` compiled for the CPU) as the shared library
    ``library`` with the header ``<name>.h`` next to it; the paths of both."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ExportError(f"export: the name {name!r} is not a C identifier")
    llvm_ir, opt_level = _code_of(f)
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise ExportError("export: no C compiler (cc, gcc or $CC) to link the library with")
    out = Path(library).resolve()
    header = out.with_name(f"{name}.h")
    spec = _Spec(f, name)
    with tempfile.TemporaryDirectory(prefix="tensorir-export-") as tmp:
        work = Path(tmp)
        kernel_ir = re.sub(re.escape(BLAS_PREFIX) + r"(\w+)", r"scipy_cblas_\g<1>64_", llvm_ir)
        (work / "kernel.o").write_bytes(_object_code(kernel_ir, opt_level))
        for k, value in enumerate(spec.values):
            (work / f"shared_{k}.bin").write_bytes(np.ascontiguousarray(value).tobytes())
        source = spec.source(llvm_ir, work)
        (work / f"{name}.c").write_text(source)
        (work / f"{name}.h").write_text(spec.header())
        (work / "exports.map").write_text(
            "{ global: " + " ".join(f"{name}{s};" for s in _EXPORTED) + " local: *; };\n"
        )
        command = [compiler, "-shared", "-fPIC", "-O2", "-std=gnu11", "-I", str(work),
                   "-o", str(work / "lib.so"), str(work / f"{name}.c"), str(work / "kernel.o"),
                   f"-Wl,--version-script={work / 'exports.map'}"]  # fmt: skip
        if BLAS_PREFIX in llvm_ir:
            command += _blas_link()
        command += ["-lm", "-lpthread"]
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except OSError as e:
            raise ExportError(f"export: cannot run the C compiler {compiler}: {e}") from None
        if done.returncode != 0:
            raise ExportError(f"export: {' '.join(command[:1])} failed:\n{done.stderr.strip()}")
        shutil.copyfile(work / "lib.so", out)
        shutil.copyfile(work / f"{name}.h", header)
    return out, header


_EXPORTED = ("", "_free", "_error", "_get_shared")
"""The library's symbols: the entry point and its companions (every other is local)."""


def _code_of(f: Any) -> tuple[str, int]:
    from tensorir.runtime.jit import JITLibrary

    library = getattr(f.kernel, "owner", None)
    if not isinstance(library, JITLibrary):
        raise TypeError(
            f"{f.name}: only a function compiled for the CPU in FAST_RUN or FAST_COMPILE mode "
            f"can be exported (this one runs through {type(f.kernel).__name__})"
        )
    return library.llvm_ir, library.opt_level


def _object_code(llvm_ir: str, opt_level: int) -> bytes:
    """``llvm_ir`` optimised as the JIT does and compiled to position-independent code."""
    import llvmlite.binding as llvm

    from tensorir.runtime import optimizer
    from tensorir.runtime.jit import host

    cpu, features = host()
    tm = llvm.Target.from_default_triple().create_target_machine(
        cpu=cpu, features=features, opt=opt_level, reloc="pic", codemodel="default"
    )
    mod = llvm.parse_assembly(llvm_ir)
    mod.verify()
    optimizer.run_pipeline(mod, tm, opt_level)
    return tm.emit_object(mod)  # type: ignore[no-any-return]


def _blas_link() -> list[str]:
    from tensorir.runtime.blas import _candidates, _load

    _load()  # RuntimeError saying what is missing
    path = Path(_candidates()[0])
    return [str(path), f"-Wl,-rpath,{path.parent}"]


def _c_string(text: str) -> str:
    """``text`` as a C string literal (UTF-8, anything unusual as an octal escape)."""
    out = []
    for byte in text.encode():
        c = chr(byte)
        if c in '"\\':
            out.append("\\" + c)
        elif 32 <= byte < 127 and c != "?":  # '?': no trigraphs
            out.append(c)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def _printf(message: str) -> tuple[str, list[int]]:
    """A check's ``str.format`` message as a printf format and the ``err`` values it takes,
    in order (``{k}`` is value k)."""
    values: list[int] = []

    def field(m: re.Match[str]) -> str:
        if m.group(0) in ("{{", "}}"):
            return m.group(0)[0]
        values.append(int(m.group(1)))
        return "\0"  # a placeholder no message holds

    text = re.sub(r"\{\{|\}\}|\{(\d+)(?:[!:][^}]*)?\}", field, message)
    return text.replace("%", "%%").replace("\0", "%lld"), values


class _Spec:
    """What the generated C says about one function: its arguments, results and state."""

    def __init__(self, f: Any, name: str):
        self.name = name
        self.abi: FunctionABI = f.kernel.abi
        self.inputs = list(f.inputs)
        self.n_in = len(self.inputs)
        self.shared = list(f.shared)
        self.values = [c.get() for c in self.shared]
        self.n_out = f.n_outputs
        keys = f.output_keys
        self.out_names = [str(k) for k in keys] if keys is not None else [
            f"output {i}" for i in range(self.n_out)
        ]  # fmt: skip
        for i, arg in enumerate(self.abi.args):
            if arg.dtype not in C_TYPES:
                raise TypeError(f"{f.name}: export has no C type for {arg.dtype}")
            if arg.written and i < self.n_in:
                raise ExportError(f"{f.name}: its code writes into input {i}")
        self.cnames: list[str] = []
        for i, spec in enumerate(self.inputs):
            c = re.sub(r"[^A-Za-z0-9_]", "_", spec.name)
            usable = re.fullmatch(r"[A-Za-z_]\w*", c) and not c.startswith(("out", "state_"))
            if not usable or c in _RESERVED or c in self.cnames or c == self.abi.name:
                c = f"in{i}"
            self.cnames.append(c)

    # ------------------------------------------------------------------ the header
    def prototype(self) -> str:
        params = []
        for i, spec in enumerate(self.inputs):
            ctype = C_TYPES[spec.dtype]
            c = self.cnames[i]
            if len(spec.broadcastable):
                params.append(f"const {ctype} *{c}, const int64_t *{c}_shape")
            else:
                params.append(f"{ctype} {c}")
        for j, r in enumerate(self.abi.results[: self.n_out]):
            ctype = C_TYPES[r.dtype]
            if r.ndim or r.kind != "scalar":
                params.append(f"{ctype} **out{j}, int64_t *out{j}_shape")
            else:
                params.append(f"{ctype} *out{j}")
        return f"int {self.name}({', '.join(params) or 'void'})"

    def header(self) -> str:
        n = self.name
        guard = f"{n.upper()}_H"
        lines = [
            f"/* {n}: a function compiled by tensorir (generated; see tensorir/runtime/export.py)",
            " *",
        ]
        for i, spec in enumerate(self.inputs):
            lines.append(f" * input {self.cnames[i]}: {spec.dtype}, {_dims(spec.broadcastable)}")
        for j, r in enumerate(self.abi.results[: self.n_out]):
            lines.append(
                f" * out{j} ({self.out_names[j]}): {r.dtype}, {_count(r.ndim)}"
                + (
                    f", a new buffer: free it with {n}_free" if r.ndim or r.kind != "scalar" else ""
                )  # fmt: skip
            )
        for k, c in enumerate(self.shared):
            lines.append(f" * shared variable {k} ({c.name}): {c.dtype}, "
                         f"{_count(len(c.broadcastable))}, kept by the library")  # fmt: skip
        lines += [
            " *",
            " * Arrays are row-major and contiguous; each comes with its sizes. Returns",
            f" * {n.upper()}_OK, {n.upper()}_ERROR ({n}_error() says why) or "
            f"{n.upper()}_NO_MEMORY;",
            " * on an error no output is set and no shared variable changes.",
            " */",
            f"#ifndef {guard}",
            f"#define {guard}",
            "#include <stdint.h>",
            "#ifdef __cplusplus",
            'extern "C" {',
            "#endif",
            f"#define {n.upper()}_OK 0",
            f"#define {n.upper()}_ERROR 1",
            f"#define {n.upper()}_NO_MEMORY 2",
            f"{self.prototype()};",
            f"void {n}_free(void *buffer);",
            f"const char *{n}_error(void);",
            f"/* a copy of shared variable k's value (free it with {n}_free) and its sizes */",
            f"int {n}_get_shared(int64_t k, void **data, int64_t *shape);",
            "#ifdef __cplusplus",
            "}",
            "#endif",
            "#endif",
        ]
        return "\n".join(lines) + "\n"

    # ------------------------------------------------------------------ the C source
    def source(self, llvm_ir: str, work: Path) -> str:
        n, abi = self.name, self.abi
        out: list[str] = [
            f"/* generated by tensorir export: {n} */",
            "#include <complex.h>",
            "#include <pthread.h>",
            "#include <stdint.h>",
            "#include <stdio.h>",
            "#include <stdlib.h>",
            "#include <string.h>",
            f'#include "{n}.h"',
            "",
            f"void *{ALLOC}(int64_t n) {{ return malloc(n > 0 ? (size_t)n : 1); }}",
            f"void {RELEASE}(void *p) {{ free(p); }}",
            f"void {PARALLEL_FOR}(void (*body)(void *, int64_t, int64_t), void *ctx, "
            "int64_t n, int64_t grain) { (void)grain; if (n > 0) body(ctx, 0, n); }",
        ]
        out += _libm_wrappers(llvm_ir)
        params = []
        for a in abi.args:
            if a.kind == "buffer":
                params += ["void *"] + ["int64_t"] * a.ndim
            elif a.dtype.startswith("complex"):
                params += [_real(a.dtype)] * 2
            else:
                params.append(C_TYPES[a.dtype] if a.dtype != "bool" else "int8_t")
        out.append(f"int64_t {abi.name}({', '.join([*params, 'int64_t *', 'int64_t *'])});")
        out += [
            "",
            "static _Thread_local char message[1024];",
            f"const char *{n}_error(void) {{ return message; }}",
            f"void {n}_free(void *buffer) {{ free(buffer); }}",
            "",
            "static int fail(const char *kind, const char *text) {",
            '    snprintf(message, sizeof message, "%s: %s", kind, text);',
            "    return 1;",
            "}",
            "",
            "/* the bytes of an array of these sizes; -1 if a size is negative or it overflows */",
            "static int64_t nbytes(const int64_t *shape, int ndim, int64_t item) {",
            "    int64_t total = item;",
            "    for (int d = 0; d < ndim; d++) {",
            "        if (shape[d] < 0 || __builtin_mul_overflow(total, shape[d], &total))",
            "            return -1;",
            "    }",
            "    return total;",
            "}",
            "",
            "static int overlap(const void *a, int64_t na, const void *b, int64_t nb) {",
            "    const char *x = a, *y = b;",
            "    return na > 0 && nb > 0 && x < y + nb && y < x + na;",
            "}",
            "",
        ]
        out += self._state(work)
        out += self._entry()
        out += self._get_shared()
        return "\n".join(out) + "\n"

    def _state(self, work: Path) -> list[str]:
        """The shared variables' buffers (copies of the embedded values, made once)."""
        lines = ["static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;"]
        if not self.shared:
            return [*lines, "static int ready(void) { return 0; }", ""]
        for k, c in enumerate(self.shared):
            nd = len(c.broadcastable)
            lines += [
                _embed(f"tir_init_{k}", work / f"shared_{k}.bin"),
                f"extern const unsigned char tir_init_{k}[];",
                f"static void *state_{k};",
                f"static int64_t state_{k}_shape[{max(nd, 1)}] = "
                f"{{{', '.join(str(s) for s in self.values[k].shape) or '0'}}};",
            ]
        lines += ["static int initialised;", "static int ready(void) {",
                  "    if (initialised) return 0;"]  # fmt: skip
        for k in range(len(self.shared)):
            size = self.values[k].nbytes
            lines += [
                f"    state_{k} = malloc({max(size, 1)});",
                f"    if (!state_{k}) return 2;",
                f"    memcpy(state_{k}, tir_init_{k}, {size});",
            ]
        lines += ["    initialised = 1;", "    return 0;", "}", ""]
        return lines

    def _entry(self) -> list[str]:
        n, abi = self.name, self.abi
        lines = [f"{self.prototype()} {{"]
        lines += [
            f"    int64_t slots[{abi.out_slots + 1}];",
            f"    int64_t err[{1 + MAX_CHECK_VALUES}];",
            "    int rc = 0;",
        ]
        # an output that is an argument's buffer goes to the caller as a copy, allocated
        # before the code runs: once it has (its in-place updates written) nothing can fail
        handed = [j for j, r in enumerate(abi.results[: self.n_out]) if r.kind == "argument"]
        lines += [f"    void *copy{j} = NULL;" for j in handed]
        # arguments: the inputs' sizes checked, then (under the lock) the shared buffers
        call: list[str] = []
        copies: list[int] = []
        for i in range(self.n_in):
            a = abi.args[i]
            c = self.cnames[i]
            if a.kind != "buffer":
                if a.dtype.startswith("complex"):
                    call += [f"creal({c})", f"cimag({c})"]
                elif a.dtype == "bool":
                    call.append(f"(int8_t)({c} != 0)")
                else:
                    call.append(c)
                continue
            item = np.dtype(a.dtype).itemsize
            lines += [
                f"    int64_t {c}_bytes = nbytes({c}_shape, {a.ndim}, {item});",
                f"    if ({c}_bytes < 0)",
                f'        return fail("ValueError", "{n}: input {c} has a negative size or '
                'one too large");',
            ]
            statics = [(d, s) for d, s in a.static]
            if statics:
                same = " || ".join(f"{c}_shape[{d}] != {s}" for d, s in statics)
                expected = ["?"] * a.ndim
                for d, s in statics:
                    expected[d] = str(s)
                shape = ", ".join(expected) + ("," if a.ndim == 1 else "")
                why = f"{n}: input {c}, {a.dtype}, must have the shape ({shape}) (a "
                why += "broadcastable dim has size 1)"
                lines += [
                    f"    if ({same})",
                    f'        return fail("TypeError", {_c_string(why)});',
                ]
            lines.append(f"    void *{c}_data = (void *){c};")
            copies.append(i)
            call += [f"{c}_data"] + [f"{c}_shape[{d}]" for d in range(a.ndim)]
        for k in range(len(self.shared)):
            a = abi.args[self.n_in + k]
            if a.kind == "buffer":
                call += [f"state_{k}"] + [f"state_{k}_shape[{d}]" for d in range(a.ndim)]
            elif a.dtype.startswith("complex"):
                value = f"*({C_TYPES[a.dtype]} *)state_{k}"
                call += [f"creal({value})", f"cimag({value})"]
            else:
                call.append(f"*({C_TYPES[a.dtype]} *)state_{k}")
        lines += ["    pthread_mutex_lock(&lock);", "    rc = ready();",
                  "    if (rc) goto done;"]  # fmt: skip
        # an input overlapping a buffer the code writes (a shared variable's) is copied
        written = [k for k in range(len(self.shared)) if abi.args[self.n_in + k].written]
        temps = []
        for i in copies:
            c = self.cnames[i]
            for k in written:
                size = f"nbytes(state_{k}_shape, {abi.args[self.n_in + k].ndim}, "
                size += f"{np.dtype(abi.args[self.n_in + k].dtype).itemsize})"
                lines += [
                    f"    if ({c}_data == (void *){c} && overlap({c}, {c}_bytes, state_{k}, "
                    f"{size})) {{",
                    f"        {c}_data = malloc({c}_bytes);",
                    f"        if (!{c}_data) {{ rc = 2; goto done; }}",
                    f"        memcpy({c}_data, {c}, {c}_bytes);",
                    "    }",
                ]
            if written:
                temps.append(c)
        for j in handed:
            a = abi.args[abi.results[j].arg]
            _, shape = self._arg_buffer(abi.results[j].arg)
            item = np.dtype(a.dtype).itemsize
            lines += [
                f"    copy{j} = malloc(nbytes({shape}, {a.ndim}, {item}) + 1);",
                f"    if (!copy{j}) {{ rc = 2; goto done; }}",
            ]
        args = ", ".join([*call, "slots", "err"])
        lines += [f"    int64_t code = {abi.name}({args});", "    if (code == 2) rc = 2;"]
        lines += ["    else if (code != 0) {", "        rc = 1;"]
        lines += self._checks()
        lines += ["    }", "    if (rc) goto done;"]
        lines += self._results()
        lines.append("done:")
        lines += [f"    if (rc) free(copy{j});" for j in handed]
        for c in temps:
            lines.append(f"    if ({c}_data != (void *){c}) free({c}_data);")
        lines += [
            "    pthread_mutex_unlock(&lock);",
            '    if (rc == 2) snprintf(message, sizeof message, "MemoryError: %s", '
            f'"{n}: out of memory");',
            "    return rc;",
            "}",
            "",
        ]
        return lines

    def _checks(self) -> list[str]:
        """The message of the failed check ``err[0]``, as the Python call raises it."""
        lines = ["        switch (err[0]) {"]
        for i, check in enumerate(self.abi.checks):
            kind = check.kind if check.kind in CHECK_EXCEPTIONS else "RuntimeError"
            fmt, values = _printf(f"{kind}: {check.message}")
            args = "".join(f", (long long)err[{1 + v}]" for v in values)
            lines.append(
                f"        case {i + 1}: snprintf(message, sizeof message, {_c_string(fmt)}{args});"
                " break;"
            )
        lines += [
            '        default: snprintf(message, sizeof message, "RuntimeError: %s", '
            f'"{self.name}: the compiled code failed");',
            "        }",
        ]
        return lines

    def _results(self) -> list[str]:
        """Outputs to the caller, then the updates committed (the code has succeeded): plain
        stores and copies into buffers allocated before the call, nothing that can fail."""
        lines: list[str] = []
        slot = 0
        for j, r in enumerate(self.abi.results):
            is_output = j < self.n_out
            item = np.dtype(r.dtype).itemsize
            if r.kind == "argument":
                if is_output:  # an output that is an argument's buffer: the caller's own copy
                    a = self.abi.args[r.arg]
                    data, shape = self._arg_buffer(r.arg)
                    lines += [
                        f"    memcpy(copy{j}, {data}, nbytes({shape}, {a.ndim}, {item}));",
                        f"    *out{j} = copy{j};",
                        *(f"    out{j}_shape[{d}] = {shape}[{d}];" for d in range(a.ndim)),
                    ]
                continue
            if r.kind == "buffer":
                if is_output:
                    lines.append(f"    *out{j} = (void *)slots[{slot}];")
                    lines += [f"    out{j}_shape[{d}] = slots[{slot + 1 + d}];"
                              for d in range(r.ndim)]  # fmt: skip
                else:
                    k = r.update - self.n_in
                    lines += [f"    free(state_{k});", f"    state_{k} = (void *)slots[{slot}];"]
                    lines += [f"    state_{k}_shape[{d}] = slots[{slot + 1 + d}];"
                              for d in range(r.ndim)]  # fmt: skip
            else:
                ctype = C_TYPES[r.dtype]
                target = f"*out{j}" if is_output else f"*({ctype} *)state_{r.update - self.n_in}"
                if r.dtype.startswith("complex"):
                    real = _real(r.dtype)
                    lines.append(
                        f"    {{ {real} re, im; memcpy(&re, &slots[{slot}], sizeof re); "
                        f"memcpy(&im, &slots[{slot + 1}], sizeof im); {target} = re + im * I; }}"
                    )
                else:
                    lines.append(f"    memcpy(&{target}, &slots[{slot}], sizeof({ctype}));")
            slot += r.slots
        return lines

    def _arg_buffer(self, i: int) -> tuple[str, str]:
        if i < self.n_in:
            c = self.cnames[i]
            return f"{c}_data", f"{c}_shape"
        k = i - self.n_in
        return f"state_{k}", f"state_{k}_shape"

    def _get_shared(self) -> list[str]:
        n = self.name
        lines = [f"int {n}_get_shared(int64_t k, void **data, int64_t *shape) {{",
                 "    int rc = 0;", "    pthread_mutex_lock(&lock);",
                 "    rc = ready();", "    if (rc) goto done;",
                 "    switch (k) {"]  # fmt: skip
        for k, c in enumerate(self.shared):
            nd = len(c.broadcastable)
            item = np.dtype(c.dtype).itemsize
            lines += [
                f"    case {k}: {{",
                f"        int64_t size = nbytes(state_{k}_shape, {nd}, {item});",
                "        *data = malloc(size > 0 ? size : 1);",
                "        if (!*data) { rc = 2; goto done; }",
                f"        memcpy(*data, state_{k}, size);",
                *(f"        shape[{d}] = state_{k}_shape[{d}];" for d in range(nd)),
                "        break;",
                "    }",
            ]
        lines += [
            "    default:",
            f'        snprintf(message, sizeof message, "IndexError: {n}: no shared variable '
            f'%lld ({len(self.shared)} in all)", (long long)k);',
            "        rc = 1;",
            "    }",
            "done:",
            "    pthread_mutex_unlock(&lock);",
            "    return rc;",
            "}",
        ]
        return lines


_RESERVED = frozenset(
    "auto break case char const continue default do double else enum extern float for goto if "
    "inline int long register restrict return short signed sizeof static struct switch "
    "typedef union unsigned void volatile while slots err rc code message lock copy size "
    "data shape k overlap nbytes ready fail initialised".split()
)
"""C's keywords and the names the generated entry point uses itself."""


def _dims(broadcastable: tuple[bool, ...]) -> str:
    if not broadcastable:
        return "a scalar"
    sizes = ", ".join("1" if b else "?" for b in broadcastable)
    return f"{_count(len(broadcastable))} ({sizes})"


def _count(ndim: int) -> str:
    return "a scalar" if ndim == 0 else f"{ndim} dim" + ("s" if ndim > 1 else "")


def _embed(symbol: str, path: Path) -> str:
    """A top-level ``asm`` statement placing the bytes of ``path`` at ``symbol`` (64-byte
    aligned, read-only, hidden from the library's users)."""
    assembly = (
        f".section .rodata\n.balign 64\n.globl {symbol}\n.hidden {symbol}\n{symbol}:\n"
        f".incbin {json.dumps(str(path))}\n.previous"
    )
    return f"__asm__({_c_string(assembly)});"


def _real(dtype: str) -> str:
    return "double" if dtype == "complex128" else "float"


def _libm_wrappers(llvm_ir: str) -> list[str]:
    """C definitions of the code's ``__tir_libm_<f>`` as libm's ``f`` (from its declares)."""
    lines = ["#include <math.h>"]
    pattern = r'^declare (\w+) @"?' + re.escape(LIBM_PREFIX) + r'(\w+)"?\(([^)]*)\)'
    for ret, fn, params in re.findall(pattern, llvm_ir, re.MULTILINE):
        types = [p.strip().split()[0] for p in params.split(",") if p.strip()]
        if ret not in _LLVM_C or any(t not in _LLVM_C for t in types):
            raise ExportError(f"export: cannot declare libm's {fn} ({ret} ({params}))")
        args = ", ".join(f"{_LLVM_C[t]} a{i}" for i, t in enumerate(types))
        call = ", ".join(f"a{i}" for i in range(len(types)))
        lines.append(f"{_LLVM_C[ret]} {LIBM_PREFIX}{fn}({args}) {{ return {fn}({call}); }}")
    return lines

"""LLVM's O1-O3 module pipeline, run in this process or in a helper process.

Why a helper process: llvmlite (0.45 to 0.47 at least) allocates a new
``PassInstrumentationCallbacks`` for every ``PassBuilder`` and never frees it; LLVM's
``PassBuilder`` fills it with the name of every pass, so each optimised module leaves about
80 KB of native memory behind, whatever is closed or reused on the Python side (parsing, the
target machine and MCJIT free everything). A program that compiles a handful of functions
never notices; one that compiles thousands would grow without bound. So a process optimises
its first ``config.llvm_opt_in_process`` modules itself (no start-up cost for ordinary
programs) and hands the rest to a helper process, this file run as a script, which is
replaced every ``RECYCLE`` modules: the leak stays bounded and is returned to the system
each time a helper exits. A helper that dies (LLVM aborts on some invalid input) takes only
itself down: the call raises ``RuntimeError`` and the next one starts a fresh helper.

This file imports nothing but llvmlite and the standard library, so the helper starts in
about a tenth of a second.

Protocol on the helper's stdin/stdout: a request is ``<u32 length>`` then
``cpu NUL features NUL opt_level NUL llvm_ir`` (UTF-8); the reply is ``<u32 length>`` then
``b"0"`` + optimised IR, or ``b"1"`` + an error message.
"""

from __future__ import annotations

import atexit
import functools
import os
import struct
import subprocess
import sys
import threading
from typing import IO

import llvmlite.binding as llvm

RECYCLE = 500  # modules a helper optimises before it is replaced
_LENGTH = struct.Struct("<I")


def target_machine(cpu: str, features: str, opt_level: int, jit: bool) -> llvm.TargetMachine:
    """The host's target machine, configured as the JIT and the optimiser both need."""
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    return llvm.Target.from_default_triple().create_target_machine(
        cpu=cpu, features=features, opt=opt_level, jit=jit
    )


def run_pipeline(mod: llvm.ModuleRef, tm: llvm.TargetMachine, opt_level: int) -> None:
    """Optimise ``mod`` in place with LLVM's default pipeline at ``opt_level`` for ``tm``."""
    mod.triple = tm.triple
    mod.data_layout = str(tm.target_data)
    pto = llvm.PipelineTuningOptions(speed_level=opt_level)
    pto.loop_vectorization = opt_level >= 2
    pto.slp_vectorization = opt_level >= 2
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)


@functools.cache
def _optimizing_machine(cpu: str, features: str, opt_level: int) -> llvm.TargetMachine:
    return target_machine(cpu, features, opt_level, jit=True)


def optimize_text(llvm_ir: str, cpu: str, features: str, opt_level: int) -> str:
    """``llvm_ir`` verified and optimised, as text (what the helper process does)."""
    tm = _optimizing_machine(cpu, features, opt_level)
    mod = llvm.parse_assembly(llvm_ir)
    mod.verify()
    run_pipeline(mod, tm, opt_level)
    return str(mod)


def _read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    body = stream.read(length)
    return body if len(body) == length else None


def _write_frame(stream: IO[bytes], body: bytes) -> None:
    stream.write(_LENGTH.pack(len(body)) + body)
    stream.flush()


class Helper:
    """One helper process; ``optimize`` sends it a module and waits for the result."""

    def __init__(self) -> None:
        self.pid = os.getpid()  # the process that started it (a fork must start its own)
        self.served = 0
        self.proc = subprocess.Popen(
            [sys.executable, "-P", __file__],  # -P: this directory is not put on sys.path
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_helper_env(),
        )

    def optimize(self, llvm_ir: str, cpu: str, features: str, opt_level: int) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = "\0".join((cpu, features, str(opt_level), llvm_ir)).encode()
        try:
            _write_frame(self.proc.stdin, request)
            reply = _read_frame(self.proc.stdout)
        except (BrokenPipeError, OSError):
            reply = None
        if reply is None:
            code = self.proc.wait()
            raise RuntimeError(
                f"the LLVM optimiser process stopped (exit status {code}) while optimising a "
                f"module of {len(llvm_ir)} characters; LLVM may have rejected the module"
            )
        self.served += 1
        if reply[:1] == b"1":
            raise RuntimeError(f"LLVM could not optimise the module: {reply[1:].decode()}")
        return reply[1:].decode()

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _helper_env() -> dict[str, str]:
    """The caller's environment, with its module path: the helper imports the same llvmlite."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


_lock = threading.Lock()
_helper: Helper | None = None


def optimize_in_helper(llvm_ir: str, cpu: str, features: str, opt_level: int) -> str:
    """``llvm_ir`` optimised by the helper process (started or replaced as needed)."""
    global _helper
    with _lock:
        if _helper is not None and _helper.pid != os.getpid():
            _helper = None  # inherited through fork: its pipes belong to the parent
        if _helper is not None and (_helper.served >= RECYCLE or _helper.proc.poll() is not None):
            _helper.close()  # worn out, or ended while idle (killed from outside)
            _helper = None
        if _helper is None:
            _helper = Helper()
        helper = _helper
        try:
            return helper.optimize(llvm_ir, cpu, features, opt_level)
        except RuntimeError:
            if helper.proc.poll() is not None:
                _helper = None  # the next module starts a fresh helper
            raise


@atexit.register
def _close_helper() -> None:
    """At exit: end the helper (it would end by itself when its stdin closes)."""
    global _helper
    if _helper is not None and _helper.pid == os.getpid():
        _helper.close()
    _helper = None


def _serve() -> None:
    """The helper's loop: one request, one reply, until stdin closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (request := _read_frame(stdin)) is not None:
        cpu, features, opt_level, llvm_ir = request.decode().split("\0", 3)
        try:
            reply = b"0" + optimize_text(llvm_ir, cpu, features, int(opt_level)).encode()
        except Exception as exc:  # noqa: BLE001 (reported to the caller)
            reply = b"1" + f"{type(exc).__name__}: {exc}".encode()
        _write_frame(stdout, reply)


if __name__ == "__main__":
    _serve()

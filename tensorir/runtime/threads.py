"""The thread pool that runs the iterations of parallel loops (``{tir.parallel}``).

Compiled code calls ``tir_parallel_for(body, ctx, n, grain)`` (see ``tensorir.abi``) for a
loop whose work is large: ``body(ctx, lo, hi)`` runs iterations ``[lo, hi)``. The pool is
native code, written here as LLVM IR and compiled once per process with llvmlite (no C
compiler): its workers are threads made by ``pthread_create`` that never touch Python (so never
the GIL), polling for a new job for about 0.1 ms, then sleeping on a futex.

- **Jobs.** A job is cut into at most ``CHUNKS_PER_THREAD`` chunks per thread, each of at
  least ``grain`` iterations. ``ticket`` holds ``(chunks << 32) | next``: a thread takes chunk
  ``next`` with a compare-and-swap, then reads the job (it cannot change before that chunk is
  done); ``remaining`` counts the chunks not finished. The submitting thread bumps ``epoch``
  (the futex word the workers sleep on), works on chunks too, then waits for ``remaining`` to
  reach 0. Which thread runs which chunk changes nothing: iterations are independent.
- **Concurrent submitters.** The pool serves one job at a time: a submitter takes ``lock``
  with a compare-and-swap; one that does not get it (another Python thread's kernel holds the
  pool) runs its loop itself, serially. Nothing waits for the pool, so nothing deadlocks.
- **Started lazily**, on the first job, with ``config.threads - 1`` workers (the submitter is
  the last thread); a change of ``config.threads`` takes effect at the next job (the pool is
  stopped and restarted). ``threads=1``: no pool, every loop runs in the caller's thread.
  Workers block every signal (Python's handlers run in the main thread anyway).
- **Exit and fork.** ``atexit`` stops the workers (wakes them, they return, they are joined)
  and closes the pool: later loops run serially. In a child of ``fork`` the workers do not
  exist: an ``os.register_at_fork`` hook forgets them, and the child's first job starts its
  own pool.

Only x86-64 and AArch64 Linux (the futex system call's number) have a pool; elsewhere every
loop runs serially.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import platform
import threading

from tensorir.abi import PARALLEL_FOR
from tensorir.config import config, on_change

CHUNKS_PER_THREAD = 4
"""A job is cut into at most this many chunks per thread: a thread slowed down (by another
process on a shared machine) leaves its other chunks to the others."""

SPIN = 4000
"""Polls of a futex word before sleeping on it, each after a spin-wait hint (``pause``: about
25 ns, so about 0.1 ms in all): a worker that has just finished a job catches the next one
without being woken (waking a sleeping thread takes 40-100 us on a virtual machine)."""

_SYS_FUTEX = {"x86_64": 202, "amd64": 202, "aarch64": 98, "arm64": 98}
_PAUSE = {
    "x86_64": ("declare void @llvm.x86.sse2.pause()", "call void @llvm.x86.sse2.pause()"),
    "amd64": ("declare void @llvm.x86.sse2.pause()", "call void @llvm.x86.sse2.pause()"),
    "aarch64": ("declare void @llvm.aarch64.hint(i32)", "call void @llvm.aarch64.hint(i32 1)"),
    "arm64": ("declare void @llvm.aarch64.hint(i32)", "call void @llvm.aarch64.hint(i32 1)"),
}

_LIBC = (
    "syscall",
    "pthread_create",
    "pthread_join",
    "pthread_sigmask",
    "sched_yield",
    "malloc",
    "free",
)

# FUTEX_WAIT_PRIVATE = 128, FUTEX_WAKE_PRIVATE = 129; SIG_SETMASK = 2; sigset_t is 128 bytes.
_POOL_IR = r"""
@lock = internal global i32 0
@epoch = internal global i32 0
@ticket = internal global i64 0
@remaining = internal global i32 0
@waiting = internal global i32 0
@sleepers = internal global i32 0
@stop = internal global i32 0
@closed = internal global i32 0
@workers = internal global i32 0
@desired = internal global i32 1
@tids = internal global ptr null
@job_body = internal global ptr null
@job_ctx = internal global ptr null
@job_n = internal global i64 0
@job_chunk = internal global i64 0

declare i64 @syscall(i64, ...)
declare i32 @pthread_create(ptr, ptr, ptr, ptr)
declare i32 @pthread_join(i64, ptr)
declare i32 @pthread_sigmask(i32, ptr, ptr)
declare i32 @sched_yield()
declare ptr @malloc(i64)
declare void @free(ptr)
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
PAUSE_DECLARATION

define internal void @futex_wait(ptr %addr, i32 %val) {
  %v = sext i32 %val to i64
  %r = call i64 (i64, ...) @syscall(i64 SYS_FUTEX, ptr %addr, i64 128, i64 %v,
                                    ptr null, ptr null, i64 0)
  ret void
}

define internal void @futex_wake(ptr %addr, i32 %n) {
  %v = sext i32 %n to i64
  %r = call i64 (i64, ...) @syscall(i64 SYS_FUTEX, ptr %addr, i64 129, i64 %v,
                                    ptr null, ptr null, i64 0)
  ret void
}

; Take chunks of the current job until none is left; run each.
define internal void @run_chunks() {
entry:
  br label %take
take:
  %t = load atomic i64, ptr @ticket acquire, align 8
  %next = and i64 %t, 4294967295
  %chunks = lshr i64 %t, 32
  %more = icmp ult i64 %next, %chunks
  br i1 %more, label %grab, label %done
grab:
  %t1 = add i64 %t, 1
  %pair = cmpxchg ptr @ticket, i64 %t, i64 %t1 acq_rel acquire
  %ok = extractvalue { i64, i1 } %pair, 1
  br i1 %ok, label %run, label %take
run:
  %body = load ptr, ptr @job_body
  %ctx = load ptr, ptr @job_ctx
  %n = load i64, ptr @job_n
  %chunk = load i64, ptr @job_chunk
  %lo = mul i64 %next, %chunk
  %end = add i64 %lo, %chunk
  %short = icmp slt i64 %n, %end
  %hi = select i1 %short, i64 %n, i64 %end
  call void %body(ptr %ctx, i64 %lo, i64 %hi)
  %left = atomicrmw sub ptr @remaining, i32 1 seq_cst
  %last = icmp eq i32 %left, 1
  br i1 %last, label %finish, label %take
finish:
  %w = load atomic i32, ptr @waiting seq_cst, align 4
  %sleeping = icmp ne i32 %w, 0
  br i1 %sleeping, label %wake, label %take
wake:
  call void @futex_wake(ptr @remaining, i32 1)
  br label %take
done:
  ret void
}

; Poll *addr up to SPIN times while it equals %val, then sleep on it (counting sleepers
; in *count, when given).
define internal void @await_change(ptr %addr, i32 %val, ptr %count) {
entry:
  br label %poll
poll:
  %k = phi i32 [ 0, %entry ], [ %k1, %again ]
  %cur = load atomic i32, ptr %addr acquire, align 4
  %same = icmp eq i32 %cur, %val
  br i1 %same, label %again, label %done
again:
  PAUSE_CALL
  %k1 = add i32 %k, 1
  %spun = icmp ugt i32 %k1, SPIN
  br i1 %spun, label %sleep, label %poll
sleep:
  %counted = icmp ne ptr %count, null
  br i1 %counted, label %register, label %check
register:
  %r0 = atomicrmw add ptr %count, i32 1 seq_cst
  br label %check
check:
  %cur2 = load atomic i32, ptr %addr seq_cst, align 4
  %still = icmp eq i32 %cur2, %val
  br i1 %still, label %wait, label %unregister
wait:
  call void @futex_wait(ptr %addr, i32 %val)
  br label %unregister
unregister:
  br i1 %counted, label %deregister, label %done
deregister:
  %r1 = atomicrmw sub ptr %count, i32 1 seq_cst
  br label %done
done:
  ret void
}

define internal ptr @worker(ptr %arg) {
entry:
  %e0 = load atomic i32, ptr @epoch acquire, align 4
  br label %loop
loop:
  %seen = phi i32 [ %e0, %entry ], [ %e1, %idle ]
  %s = load atomic i32, ptr @stop acquire, align 4
  %stopped = icmp ne i32 %s, 0
  br i1 %stopped, label %exit, label %work
work:
  call void @run_chunks()
  call void @await_change(ptr @epoch, i32 %seen, ptr @sleepers)
  br label %idle
idle:
  %e1 = load atomic i32, ptr @epoch acquire, align 4
  br label %loop
exit:
  ret ptr null
}

; Wake every worker for a new epoch (a job, or the stop).
define internal void @bump_epoch() {
  %e = atomicrmw add ptr @epoch, i32 1 seq_cst
  %s = load atomic i32, ptr @sleepers seq_cst, align 4
  %any = icmp ne i32 %s, 0
  br i1 %any, label %wake, label %done
wake:
  call void @futex_wake(ptr @epoch, i32 2147483647)
  br label %done
done:
  ret void
}

; Stop the workers and join them (the caller holds @lock).
define internal void @stop_workers() {
entry:
  %count = load i32, ptr @workers
  %none = icmp eq i32 %count, 0
  br i1 %none, label %done, label %signal
signal:
  store atomic i32 1, ptr @stop seq_cst, align 4
  call void @bump_epoch()
  %tids = load ptr, ptr @tids
  br label %join
join:
  %k = phi i32 [ 0, %signal ], [ %k1, %join ]
  %slot = getelementptr i64, ptr %tids, i32 %k
  %tid = load i64, ptr %slot
  %r = call i32 @pthread_join(i64 %tid, ptr null)
  %k1 = add i32 %k, 1
  %all = icmp eq i32 %k1, %count
  br i1 %all, label %joined, label %join
joined:
  call void @free(ptr %tids)
  store ptr null, ptr @tids
  store i32 0, ptr @workers
  store atomic i32 0, ptr @stop seq_cst, align 4
  br label %done
done:
  ret void
}

; Start %count workers with every signal blocked; @workers says how many started.
define internal void @start_workers(i32 %count) {
entry:
  %all = alloca [128 x i8], align 8
  %old = alloca [128 x i8], align 8
  call void @llvm.memset.p0.i64(ptr %all, i8 -1, i64 128, i1 false)
  %wide = zext i32 %count to i64
  %bytes = mul i64 %wide, 8
  %tids = call ptr @malloc(i64 %bytes)
  %failed = icmp eq ptr %tids, null
  br i1 %failed, label %done, label %masked
masked:
  store ptr %tids, ptr @tids
  %m = call i32 @pthread_sigmask(i32 2, ptr %all, ptr %old)
  br label %create
create:
  %k = phi i32 [ 0, %masked ], [ %k1, %created ]
  %more = icmp slt i32 %k, %count
  br i1 %more, label %one, label %restore
one:
  %slot = getelementptr i64, ptr %tids, i32 %k
  %rc = call i32 @pthread_create(ptr %slot, ptr null, ptr @worker, ptr null)
  %ok = icmp eq i32 %rc, 0
  br i1 %ok, label %created, label %restore
created:
  %k1 = add i32 %k, 1
  br label %create
restore:
  %started = phi i32 [ %k, %create ], [ %k, %one ]
  store i32 %started, ptr @workers
  %m2 = call i32 @pthread_sigmask(i32 2, ptr %old, ptr null)
  br label %done
done:
  ret void
}

define void @tir_parallel_for(ptr %body, ptr %ctx, i64 %n, i64 %grain) {
entry:
  %empty = icmp sle i64 %n, 0
  br i1 %empty, label %return, label %size
size:
  %threads = load atomic i32, ptr @desired monotonic, align 4
  %closed = load atomic i32, ptr @closed monotonic, align 4
  %one_thread = icmp sle i32 %threads, 1
  %is_closed = icmp ne i32 %closed, 0
  %alone = or i1 %one_thread, %is_closed
  br i1 %alone, label %serial, label %cut
cut:
  %g0 = icmp slt i64 %grain, 1
  %g = select i1 %g0, i64 1, i64 %grain
  %gm1 = sub i64 %g, 1
  %ng = add i64 %n, %gm1
  %by_grain = udiv i64 %ng, %g
  %t64 = zext i32 %threads to i64
  %cap = mul i64 %t64, CHUNKS_PER_THREAD
  %few = icmp ult i64 %by_grain, %cap
  %want = select i1 %few, i64 %by_grain, i64 %cap
  %single = icmp ule i64 %want, 1
  br i1 %single, label %serial, label %try
try:
  %pair = cmpxchg ptr @lock, i32 0, i32 1 acquire monotonic
  %got = extractvalue { i32, i1 } %pair, 1
  br i1 %got, label %pool, label %serial
pool:
  %have = load i32, ptr @workers
  %need = sub i32 %threads, 1
  %right = icmp eq i32 %have, %need
  br i1 %right, label %ready, label %restart
restart:
  call void @stop_workers()
  call void @start_workers(i32 %need)
  %started = load i32, ptr @workers
  %nobody = icmp eq i32 %started, 0
  br i1 %nobody, label %unlock_serial, label %ready
ready:
  %wm1 = sub i64 %want, 1
  %nw = add i64 %n, %wm1
  %chunk = udiv i64 %nw, %want
  %cm1 = sub i64 %chunk, 1
  %nc = add i64 %n, %cm1
  %chunks = udiv i64 %nc, %chunk
  store ptr %body, ptr @job_body
  store ptr %ctx, ptr @job_ctx
  store i64 %n, ptr @job_n
  store i64 %chunk, ptr @job_chunk
  %chunks32 = trunc i64 %chunks to i32
  store atomic i32 %chunks32, ptr @remaining seq_cst, align 4
  %t = shl i64 %chunks, 32
  store atomic i64 %t, ptr @ticket release, align 8
  call void @bump_epoch()
  call void @run_chunks()
  store atomic i32 1, ptr @waiting seq_cst, align 4
  br label %wait
wait:
  %left = load atomic i32, ptr @remaining seq_cst, align 4
  %finished = icmp eq i32 %left, 0
  br i1 %finished, label %complete, label %sleep
sleep:
  call void @await_change(ptr @remaining, i32 %left, ptr null)
  br label %wait
complete:
  store atomic i32 0, ptr @waiting seq_cst, align 4
  store atomic i32 0, ptr @lock release, align 4
  br label %return
unlock_serial:
  store atomic i32 0, ptr @lock release, align 4
  br label %serial
serial:
  call void %body(ptr %ctx, i64 0, i64 %n)
  br label %return
return:
  ret void
}

define void @tir_pool_set_threads(i32 %n) {
  store atomic i32 %n, ptr @desired monotonic, align 4
  ret void
}

define i32 @tir_pool_workers() {
  %n = load i32, ptr @workers
  ret i32 %n
}

; At exit: wait for the pool to be free, stop and join the workers, run later loops serially.
define void @tir_pool_shutdown() {
entry:
  br label %take
take:
  %pair = cmpxchg ptr @lock, i32 0, i32 1 acquire monotonic
  %got = extractvalue { i32, i1 } %pair, 1
  br i1 %got, label %stop, label %yield
yield:
  %y = call i32 @sched_yield()
  br label %take
stop:
  store atomic i32 1, ptr @closed seq_cst, align 4
  call void @stop_workers()
  store atomic i32 0, ptr @lock release, align 4
  ret void
}

; In the child of fork: the workers are not there; forget them (and a job in flight).
define void @tir_pool_after_fork() {
  store i32 0, ptr @workers
  store ptr null, ptr @tids
  store i32 0, ptr @stop
  store i32 0, ptr @sleepers
  store i32 0, ptr @waiting
  store i32 0, ptr @remaining
  store i64 0, ptr @ticket
  store i32 0, ptr @lock
  ret void
}
"""


class _Pool:
    """The compiled pool and its entry points."""

    def __init__(self, machine: str):
        from tensorir.runtime.jit import register_symbols, runtime_library  # jit imports us

        libc = ctypes.CDLL(None)
        register_symbols({name: ctypes.cast(getattr(libc, name), ctypes.c_void_p).value
                          for name in _LIBC})  # fmt: skip
        declaration, call = _PAUSE.get(machine, ("", ""))
        text = (
            _POOL_IR.replace("SYS_FUTEX", str(_SYS_FUTEX.get(machine, 0)))
            .replace("PAUSE_DECLARATION", declaration)
            .replace("PAUSE_CALL", call)
            .replace("CHUNKS_PER_THREAD", str(CHUNKS_PER_THREAD))
            .replace("SPIN", str(SPIN))
        )
        self._library = runtime_library(f"tensorir_pool {machine}", lambda: text, 2)
        self.parallel_for = self._library.address(PARALLEL_FOR)

        def fn(name: str, restype: type | None, *argtypes: type) -> ctypes._CFuncPtr:
            return ctypes.CFUNCTYPE(restype, *argtypes)(self._library.address(name))

        self.set_threads = fn("tir_pool_set_threads", None, ctypes.c_int32)
        self.workers = fn("tir_pool_workers", ctypes.c_int32)
        self.shutdown = fn("tir_pool_shutdown", None)
        self.after_fork = fn("tir_pool_after_fork", None)


_pool: _Pool | None = None
_lock = threading.Lock()


def _threads_for_pool(n: int) -> int:
    return n if platform.machine().lower() in _SYS_FUTEX else 1


def pool() -> _Pool:
    """The pool's native code, compiled on first use (the workers start with the first
    large job); its ``tir_parallel_for`` is registered for the JIT."""
    global _pool
    with _lock:
        if _pool is None:
            p = _Pool(platform.machine().lower())
            p.set_threads(_threads_for_pool(config.threads))
            from tensorir.runtime.jit import register_symbols  # jit imports this module

            register_symbols({PARALLEL_FOR: p.parallel_for})
            atexit.register(p.shutdown)
            _pool = p
    return _pool


def workers() -> int:
    """Worker threads running now (0 before the first large job and with ``threads=1``)."""
    return 0 if _pool is None else _pool.workers()


def _threads_changed(value: object) -> None:
    if _pool is not None:
        _pool.set_threads(_threads_for_pool(int(value)))  # type: ignore[call-overload]


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()  # another thread may have held it at the fork
    if _pool is not None:
        _pool.after_fork()


on_change("threads", _threads_changed)
os.register_at_fork(after_in_child=_after_fork_in_child)

"""Runtime: runs compiled code with numpy and llvmlite alone (no xDSL, no compiler)."""

from tensorir.abi import ArgSpec, CheckSpec, FunctionABI, ResultSpec
from tensorir.runtime.jit import JITLibrary
from tensorir.runtime.kernel import Kernel
from tensorir.runtime.saved import load

__all__ = ["ArgSpec", "CheckSpec", "FunctionABI", "JITLibrary", "Kernel", "ResultSpec", "load"]

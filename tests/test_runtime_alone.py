"""The runtime loads without the compiler (decision 8: embeddable with numpy + llvmlite)."""

import subprocess
import sys


def test_runtime_imports_no_xdsl() -> None:
    code = (
        "import sys, tensorir.runtime, tensorir.runtime.function, tensorir.runtime.kernel\n"
        "import tensorir.runtime.shared\n"
        "assert 'xdsl' not in sys.modules, sorted(m for m in sys.modules if 'xdsl' in m)[:3]\n"
        "assert 'tensorir.frontend' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

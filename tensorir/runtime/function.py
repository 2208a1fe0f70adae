"""A compiled function as users call it: ``f(*inputs)`` converts each input to its type,
runs the kernel and returns the outputs. Numpy and llvmlite only, so that it loads alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tensorir.runtime.convert import converter
from tensorir.runtime.kernel import Kernel


@dataclass(frozen=True)
class InputSpec:
    name: str
    dtype: str
    broadcastable: tuple[bool, ...]


class Function:
    """Theano's compiled function: call it with one value per input (positionally or by
    input name); it returns one array, or a list when the outputs were given as a list."""

    def __init__(
        self,
        kernel: Kernel,
        inputs: Sequence[InputSpec],
        outputs_as_list: bool,
        allow_input_downcast: bool | None,
        float_x: str,
        name: str,
    ):
        self.kernel = kernel
        self.inputs = list(inputs)
        self.outputs_as_list = outputs_as_list
        self.name = name
        self._positions = {spec.name: i for i, spec in enumerate(self.inputs)}
        self._converters = [
            converter(
                spec.dtype,
                spec.broadcastable,
                allow_input_downcast,
                float_x,
                f"{name}: input {i} ({spec.name}, {spec.dtype} with broadcastable "
                f"{spec.broadcastable})",
            )
            for i, spec in enumerate(self.inputs)
        ]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            args = self._bind(args, kwargs)
        if len(args) != len(self._converters):
            names = ", ".join(spec.name for spec in self.inputs)
            raise TypeError(
                f"{self.name}: expected {len(self._converters)} argument(s) ({names}), "
                f"got {len(args)}"
            )
        outs = self.kernel(*[c(a) for c, a in zip(self._converters, args, strict=True)])
        return outs if self.outputs_as_list else outs[0]

    def _bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        values: list[Any] = list(args) + [_MISSING] * (len(self.inputs) - len(args))
        for key, value in kwargs.items():
            if key not in self._positions:
                raise TypeError(f"{self.name}: unknown input name {key!r}")
            i = self._positions[key]
            if i < len(values) and values[i] is not _MISSING:
                raise TypeError(f"{self.name}: input {key!r} given twice")
            values[i] = value
        missing = [self.inputs[i].name for i, v in enumerate(values) if v is _MISSING]
        if missing:
            raise TypeError(f"{self.name}: missing input(s) {', '.join(missing)}")
        return tuple(values)


_MISSING = object()

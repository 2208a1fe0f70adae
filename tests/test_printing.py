"""tensorir.printing: debugprint, pp and pydotprint, as Theano users know them."""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

import tensorir
from tensorir import printing, tensor
from tensorir.frontend.function import CompiledFunction
from tensorir.frontend.shared import SharedVariable
from tensorir.printing import GraphvizNotFound, char_from_number, debugprint, pp, pydotprint

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
needs_graphviz = pytest.mark.skipif(
    shutil.which("dot") is None, reason="graphviz's dot program is not installed"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """The width and height in a PNG's IHDR chunk (the first one, right after the signature)."""
    assert data[:8] == PNG_SIGNATURE
    length, kind, width, height = struct.unpack(">I4sII", data[8:24])
    assert (length, kind) == (13, b"IHDR")
    return width, height


def training_function() -> tuple[CompiledFunction, SharedVariable]:
    x = tensor.dvector("x")
    W = tensorir.shared(numpy.asarray([0.1, 0.25]), "W")
    f = tensorir.function([x], (x * W).sum(), updates=[(W, W - 0.1 * x)])
    return f, W


# --------------------------------------------------------------------------- debugprint


def test_debugprint_scalar_addition_function() -> None:
    a = tensor.dscalar()
    b = tensor.dscalar()
    f = tensorir.function([a, b], a + b)
    assert debugprint(f, file="str") == (
        "Elemwise{add} [id A] ''   0\n"
        " |<TensorType(float64, scalar)> [id B]\n"
        " |<TensorType(float64, scalar)> [id C]\n"
    )


def test_debugprint_dot_of_named_matrices() -> None:
    a = tensor.dmatrix("a")
    b = tensor.dmatrix("b")
    c = tensor.dot(a, b)
    assert debugprint(c, file="str") == "dot [id A] ''\n |a [id B]\n |b [id C]\n"
    f = tensorir.function([a, b], c)
    assert debugprint(f, file="str") == "dot [id A] ''   0\n |a [id B]\n |b [id C]\n"


def test_debugprint_shared_variable_and_update() -> None:
    f, _ = training_function()
    assert debugprint(f, file="str") == (
        "Sum [id A] ''   1\n"
        " |Elemwise{mul} [id B] ''   0\n"
        "   |x [id C]\n"
        "   |W [id D]\n"
        "Update of W [id D]:\n"
        "Elemwise{sub} [id E] ''   3\n"
        " |W [id D]\n"
        " |Elemwise{mul} [id F] ''   2\n"
        "   |TensorConstant{(1,) of 0.1} [id G]\n"
        "   |x [id C]\n"
    )


def test_debugprint_types_storage_and_ids() -> None:
    f, W = training_function()
    text = debugprint(f, file="str", print_type=True, print_storage=True, ids="int")
    assert text.splitlines()[:4] == [
        "Sum [id 0] <TensorType(float64, scalar)> ''   1",
        " |Elemwise{mul} [id 1] <TensorType(float64, vector)> ''   0",
        "   |x [id 2] <TensorType(float64, vector)>",
        "   |W [id 3] <TensorType(float64, vector)> [0.1 0.25]",
    ]
    assert debugprint(W * 2, file="str", ids="") == (
        "Elemwise{mul} ''\n |W\n |TensorConstant{(1,) of 2.0}\n"
    )


def test_debugprint_repeated_apply_prints_its_inputs_once() -> None:
    x = tensor.dvector("x")
    s = tensor.exp(x)
    y = s * s
    assert debugprint(y, file="str") == (
        "Elemwise{mul} [id A] ''\n"
        " |Elemwise{exp} [id B] ''\n"
        " | |x [id C]\n"
        " |Elemwise{exp} [id B] ''\n"
    )


def test_debugprint_depth_stop_on_name_and_shared_done() -> None:
    x = tensor.dmatrix("x")
    z = x + 1
    z.name = "z"
    y = tensor.sqr(z).sum(axis=0)
    assert debugprint(y, file="str", depth=2) == (
        "Sum{axis=[0]} [id A] ''\n |Elemwise{sqr} [id B] ''\n"
    )
    assert debugprint(y, file="str", stop_on_name=True) == (
        "Sum{axis=[0]} [id A] ''\n |Elemwise{sqr} [id B] ''\n   |Elemwise{add} [id C] 'z'\n"
    )
    done: dict = {}
    debugprint(z, file="str", done=done)
    assert debugprint(z * 2, file="str", done=done).splitlines()[:2] == [
        "Elemwise{mul} [id D] ''",
        " |Elemwise{add} [id A] 'z'",
    ]


def test_debugprint_multiple_outputs_lists_and_files(capsys) -> None:
    x = tensor.dvector("x")
    w = tensor.dvector("w")
    cost = (x * w).sum()
    gx, gw = tensor.grad(cost, [x, w])
    text = debugprint([gx, gw], file="str")
    lines = text.splitlines()
    assert re.fullmatch(r"Grad\{.*\}\.0 \[id A\] ''", lines[0])
    assert any(re.fullmatch(r"Grad\{.*\}\.1 \[id A\] ''", line) for line in lines)
    buffer = io.StringIO()
    assert debugprint(gx, file=buffer) is buffer
    assert buffer.getvalue().startswith(lines[0])
    assert debugprint(x + w) is None
    assert capsys.readouterr().out == "Elemwise{add} [id A] ''\n |x [id B]\n |w [id C]\n"
    assert debugprint(tensorir.function([x], [x * 2, x.dimshuffle(0, "x")]), file="str") == (
        "Elemwise{mul} [id A] ''   0\n"
        " |x [id B]\n"
        " |TensorConstant{(1,) of 2.0} [id C]\n"
        "DimShuffle{0,x} [id D] ''   1\n"
        " |x [id B]\n"
    )


def test_debugprint_rejects_what_it_cannot_print() -> None:
    with pytest.raises(TypeError, match="debugprint: cannot print"):
        debugprint(42)
    with pytest.raises(ValueError, match="ids must be"):
        debugprint(tensor.dscalar(), ids="hex")


def test_char_from_number() -> None:
    assert [char_from_number(n) for n in (0, 1, 25, 26, 27, 26 * 26)] == [
        "A",
        "B",
        "Z",
        "BA",
        "BB",
        "BAA",
    ]


# --------------------------------------------------------------------------- pp


def test_pp_infix_and_function_forms() -> None:
    x = tensor.dvector("x")
    y = tensor.dvector("y")
    W = tensorir.shared(numpy.zeros(3), "W")
    a = tensor.dmatrix("a")
    b = tensor.dmatrix("b")
    assert pp(x + y) == "(x + y)"
    assert pp((x * W).sum()) == "sum(x * W)"
    assert pp(tensor.dot(a, b)) == "dot(a, b)"
    assert pp(x * 2 + 1) == "((x * 2.0) + 1.0)"
    assert pp((x - y) / (x**2)) == "((x - y) / (x ** 2.0))"
    assert pp(x // y % y) == "((x // y) % y)"
    assert pp(x < y) == "(x < y)"
    assert pp(tensor.eq(x, y)) == "(x == y)"
    assert pp(tensor.neq(x, y)) == "(x != y)"
    assert pp(x >= 0) == "(x >= 0.0)"
    assert pp(-x) == "(-x)"
    assert pp(tensor.exp(-x)) == "exp(-x)"
    assert pp(tensor.sqr(x - y).mean()) == "mean(sqr(x - y))"
    assert pp(a.sum(axis=0)) == "sum(a, axis=0)"
    assert pp(a.T + b) == "(a.T + b)"
    assert pp(tensor.maximum(x, y)) == "maximum(x, y)"
    assert pp(tensor.switch(x < y, x, y)) == "switch(x < y, x, y)"


def test_pp_names_constants_casts_and_grad() -> None:
    x = tensor.fvector("x")
    y = tensor.dvector("y")
    z = x + y
    z.name = "z"
    assert pp(z) == "(cast(x, 'float64') + y)"
    assert pp(z * 2) == "(z * 2.0)"
    assert pp(tensor.dscalar() + tensor.constant([1.5, 2.0])) == (
        "(<TensorType(float64, scalar)> + [1.5 2. ])"
    )
    assert pp(x) == "x"
    assert pp(tensor.constant(3)) == "3"
    W = tensorir.shared(numpy.zeros(2), "W")
    cost = tensor.sqr(y - W).sum()
    (g,) = tensor.grad(cost, [W])
    assert pp(W - 0.1 * g) == "(W - (0.1 * grad(sum(sqr(y - W)), [W])))"
    assert tensorir.pp is pp and printing.pprint is pp
    with pytest.raises(TypeError, match="pp: expected a symbolic variable"):
        pp(3)


# --------------------------------------------------------------------------- pydotprint: DOT

NODE = re.compile(r'^  "(?:[^"\\]|\\.)*" \[(.*)\];$')
EDGE = re.compile(r'^  "(?:[^"\\]|\\.)*" -> "(?:[^"\\]|\\.)*"(?: \[(.*)\])?;$')
ATTR = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse_dot(text: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The nodes' and edges' attributes (unescaped) of a DOT text as ``pydotprint`` writes
    it; asserts that every attribute value is quoted."""
    lines = text.splitlines()
    assert lines[0] == "digraph G {" and lines[-1] == "}"
    nodes, edges = [], []
    for line in lines[1:-1]:
        edge = EDGE.match(line)
        match = edge or NODE.match(line)
        assert match, line
        attrs = match.group(1) or ""
        assert ATTR.sub("", attrs).replace(", ", "") == "", f"unquoted attribute in {line}"
        values = {k: re.sub(r"\\(.)", r"\1", v) for k, v in ATTR.findall(attrs)}
        (edges if edge else nodes).append(values)
    return nodes, edges


def dot_text(obj, tmp_path: Path, **kw) -> str:
    pydotprint(obj, outfile=tmp_path / "g.dot", format="dot", print_output_file=False, **kw)
    return (tmp_path / "g.dot").read_text()


def test_pydotprint_scalar_addition_dot(tmp_path) -> None:
    a = tensor.dscalar("a")
    b = tensor.dscalar("b")
    f = tensorir.function([a, b], a + b)
    nodes, edges = parse_dot(dot_text(f, tmp_path, var_with_name_simple=True))
    assert len(nodes) == 4 and len(edges) == 3
    labels = {n["label"]: n for n in nodes}
    assert set(labels) == {"Elemwise{add}", "a", "b", "TensorType(float64, scalar)"}
    assert labels["Elemwise{add}"]["shape"] == "ellipse"
    assert labels["Elemwise{add}"]["fillcolor"] == "#FFAABB"
    assert labels["a"]["fillcolor"] == labels["b"]["fillcolor"] == "green"
    assert labels["a"]["shape"] == "box"
    assert labels["TensorType(float64, scalar)"]["fillcolor"] == "lightblue"
    assert sorted(e.get("label", "") for e in edges) == ["", "0", "1"]
    nodes, _ = parse_dot(dot_text(f, tmp_path))
    assert {"name=a TensorType(float64, scalar)", "name=b TensorType(float64, scalar)"} <= {
        n["label"] for n in nodes
    }


def test_pydotprint_matrix_dot_product_dot(tmp_path) -> None:
    a = tensor.dmatrix()
    b = tensor.dmatrix()
    f = tensorir.function([a, b], tensor.dot(a, b))
    nodes, edges = parse_dot(dot_text(f, tmp_path, var_with_name_simple=True))
    assert sorted(n["label"] for n in nodes) == ["TensorType(float64, matrix)"] * 3 + ["dot"]
    assert len(edges) == 3


def test_pydotprint_shared_variable_and_update(tmp_path) -> None:
    f, _ = training_function()
    text = dot_text(f, tmp_path, var_with_name_simple=True)
    nodes, edges = parse_dot(text)
    by_label: dict[str, list[dict[str, str]]] = {}
    for n in nodes:
        by_label.setdefault(n["label"], []).append(n)
    # x, W (read), the 0.1 constant, the output, W's new value; mul, Sum, mul, sub
    assert len(nodes) == 9
    assert [n["fillcolor"] for n in by_label["W"]] == ["cyan", "lightblue"]
    assert by_label["x"][0]["fillcolor"] == "green"
    assert by_label["val=[0.1] TensorType(float64, (True,))"][0]["fillcolor"] == "lightgrey"
    updates = [e for e in edges if e.get("label") == "UPDATE"]
    assert len(updates) == 1 and updates[0]["style"] == "dashed"
    # the update edge goes from the new value to the shared variable
    update_line = next(line for line in text.splitlines() if 'label="UPDATE"' in line)
    src, dst = re.findall(r'"(var\d+)"', update_line)
    assert f'"{dst}" [label="W", shape="box", style="filled", fillcolor="cyan"];' in text
    assert f'"{src}" [label="W", shape="box", style="filled", fillcolor="lightblue"];' in text
    # compact: unnamed intermediates are edges labelled with their type
    assert any(e.get("label") == "TensorType(float64, vector)" for e in edges)
    nodes_full, edges_full = parse_dot(dot_text(f, tmp_path, compact=False))
    assert len(nodes_full) == 11 and len(edges_full) == len(edges) + 2


def test_pydotprint_labels_are_escaped_ids_and_truncation(tmp_path) -> None:
    x = tensor.dvector('we"ird\\name')
    y = tensor.dvector("y")
    text = dot_text([x + y, x * y], tmp_path, var_with_name_simple=True, with_ids=True)
    assert 'label="we\\"ird\\\\name"' in text
    nodes, _ = parse_dot(text)
    assert {"Elemwise{add} id=0", "Elemwise{mul} id=1", 'we"ird\\name'} <= {
        n["label"] for n in nodes
    }
    cost = tensor.sqr(x - y).sum()
    (g,) = tensor.grad(cost, [y])
    nodes, _ = parse_dot(dot_text(g, tmp_path, max_label_size=20))
    assert all(len(n["label"]) <= 20 for n in nodes)
    assert any(n["label"].startswith("Grad{") and n["label"].endswith("...") for n in nodes)
    nodes, _ = parse_dot(dot_text(g, tmp_path, high_contrast=False))
    assert all("style" not in n for n in nodes)


def test_pydotprint_multiple_outputs_unused_and_leaf_outputs(tmp_path) -> None:
    x = tensor.dvector("x")
    w = tensor.dvector("w")
    gx, _ = tensor.grad((x * w).sum(), [x, w])
    nodes, edges = parse_dot(dot_text(gx, tmp_path))
    assert [n["fillcolor"] for n in nodes if n.get("fillcolor") == "grey"] == ["grey"]
    assert {"0", "1"} <= {e.get("label") for e in edges}
    f = tensorir.function([x], x)
    nodes, edges = parse_dot(dot_text(f, tmp_path))
    assert len(nodes) == 1 and nodes[0]["fillcolor"] == "lightblue" and edges == []


def test_pydotprint_outfile_names_and_options(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    x = tensor.dvector("x")
    pydotprint(x + 1, format="dot")
    assert (tmp_path / "tensorir_graph.dot").read_text().startswith("digraph G {")
    assert capsys.readouterr().out == (
        f"The output file is available at {tmp_path / 'tensorir_graph.dot'}\n"
    )
    pydotprint(x + 1, outfile="sub/graph", format="dot", print_output_file=False)
    assert (tmp_path / "sub" / "graph.dot").exists() and capsys.readouterr().out == ""
    assert pydotprint(x + 1, format="dot", return_image=True).startswith(b"digraph G {")
    with pytest.warns(UserWarning, match="no IfElse"):
        pydotprint(x + 1, format="dot", cond_highlight=True, print_output_file=False)
    with pytest.raises(ValueError, match="invalid format"):
        pydotprint(x + 1, format="png; rm")
    with pytest.raises(TypeError, match="pydotprint: cannot print"):
        pydotprint(42, format="dot")


# --------------------------------------------------------------------------- rendering


@needs_graphviz
def test_pydotprint_renders_png(tmp_path, capsys) -> None:
    a = tensor.dscalar()
    b = tensor.dscalar()
    f = tensorir.function([a, b], a + b)
    out = tmp_path / "scalar_addition.png"
    assert pydotprint(f, outfile=str(out), var_with_name_simple=True) is None
    assert capsys.readouterr().out == f"The output file is available at {out}\n"
    width, height = png_size(out.read_bytes())
    assert width > 0 and height > 0
    image = pydotprint(f, return_image=True, outfile=str(tmp_path / "unused.png"))
    assert png_size(image)[0] > 0 and not (tmp_path / "unused.png").exists()


@needs_graphviz
def test_pydotprint_renders_svg_with_escaped_labels(tmp_path) -> None:
    f, _ = training_function()
    pydotprint(f, outfile=tmp_path / "train", format="svg", print_output_file=False)
    svg = (tmp_path / "train.svg").read_text()
    assert "<svg" in svg and "Elemwise{mul}" in svg and "UPDATE" in svg
    x = tensor.dvector('a "quoted" \\ name')
    pydotprint(x * 2, outfile=tmp_path / "odd.svg", format="svg", print_output_file=False)
    assert "a &quot;quoted&quot; \\ name" in (tmp_path / "odd.svg").read_text()


@needs_graphviz
def test_pydotprint_dot_layout_matches_the_graph(tmp_path) -> None:
    """graphviz reads the DOT text back with the nodes and edges written."""
    f, _ = training_function()
    text = dot_text(f, tmp_path)
    nodes, edges = parse_dot(text)
    plain = subprocess.run(
        ["dot", "-Tplain"], input=text, capture_output=True, text=True, check=True
    ).stdout
    lines = plain.splitlines()
    assert sum(line.startswith("node ") for line in lines) == len(nodes)
    assert sum(line.startswith("edge ") for line in lines) == len(edges)


@needs_graphviz
def test_pydotprint_reports_graphviz_errors(tmp_path) -> None:
    with pytest.raises(RuntimeError, match="could not render") as info:
        pydotprint(tensor.dscalar() * 2, outfile=tmp_path / "g.nosuchformat", format="nosuchformat")
    assert not isinstance(info.value, GraphvizNotFound)
    assert (tmp_path / "g.dot").exists()


def test_pydotprint_without_graphviz_writes_the_dot_file(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(printing.shutil, "which", lambda *args, **kw: None)
    a = tensor.dscalar()
    b = tensor.dscalar()
    f = tensorir.function([a, b], a + b)
    out = tmp_path / "scalar_addition.png"
    with pytest.raises(GraphvizNotFound) as info:
        pydotprint(f, outfile=str(out), var_with_name_simple=True)
    err = info.value
    assert isinstance(err, RuntimeError)
    message = str(err)
    assert "graphviz" in message and str(tmp_path / "scalar_addition.dot") in message
    for advice in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz"):
        assert advice in message
    assert err.dot_file == str(tmp_path / "scalar_addition.dot")
    nodes, edges = parse_dot((tmp_path / "scalar_addition.dot").read_text())
    assert len(nodes) == 4 and len(edges) == 3
    assert not out.exists() and capsys.readouterr().out == ""
    # format="dot" needs no graphviz
    pydotprint(f, outfile=tmp_path / "only", format="dot", print_output_file=False)
    assert (tmp_path / "only.dot").exists()


@needs_graphviz
def test_pydotprint_quick_guide_example(tmp_path) -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "pydotprint_quick_guide.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in ("scalar_addition.png", "matrix_dot_product.png"):
        path = tmp_path / name
        assert f"The output file is available at {path}" in out
        width, height = png_size(path.read_bytes())
        assert width > 0 and height > 0


def test_printing_is_reachable_from_the_package() -> None:
    import tensorir as package

    assert package.printing is printing
    assert "printing" in package.__all__ and "pp" in package.__all__

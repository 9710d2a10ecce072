#!/usr/bin/env python3
"""Lists the import cycles between rallypost's top-level modules (src/<module>.rs or
src/<module>/); exits 1 if there is one. Dependencies should flow one way:
web -> use cases -> outbox/db/domain.

An edge a -> b is any `crate::b` path in a's files: `use crate::b::...`, a path written in
code, or an item of `use crate::{b::..., c}`. Plain comments (not doc comments) and a file's trailing
`#[cfg(test)] mod tests { ... }` do not count (test code may reach anywhere).
"""

import glob
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def code_of(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    cut = re.search(r"^#\[cfg\(test\)\]\s*\nmod tests\b", text, re.M)
    if cut:
        text = text[: cut.start()]
    # Plain comments do not count; doc comments (`///`, `//!`) do, since a module that
    # names another in its documentation is written in terms of it.
    return re.sub(r"//(?![/!])[^\n]*", "", text)


def group_items(body):
    """Top-level names in the body of `crate::{...}`."""
    names, depth, item = [], 0, ""
    for ch in body + ",":
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            name = re.match(r"\s*([a-z_][a-z0-9_]*)", item)
            if name and name.group(1) != "self":
                names.append(name.group(1))
            item = ""
        else:
            item += ch
    return names


def edges():
    """{module: {imported module: [file:line, ...]}}"""
    out = {}
    for path in sorted(glob.glob(os.path.join(SRC, "**", "*.rs"), recursive=True)):
        rel = os.path.relpath(path, SRC)
        top = rel.split(os.sep)[0].removesuffix(".rs")
        code = code_of(path)
        found = [(m.start(), m.group(1)) for m in re.finditer(r"\bcrate::([a-z_][a-z0-9_]*)", code)]
        for m in re.finditer(r"\bcrate::\{", code):
            depth, i = 1, m.end()
            while depth and i < len(code):
                depth += {"{": 1, "}": -1}.get(code[i], 0)
                i += 1
            found += [(m.start(), name) for name in group_items(code[m.end() : i - 1])]
        for pos, name in found:
            if name != top:
                line = code.count("\n", 0, pos) + 1
                out.setdefault(top, {}).setdefault(name, []).append("src/%s:%d" % (rel, line))
    return out


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main():
    graph = edges()
    found = cycles(graph)
    if not found:
        print("module cycles: none")
        return 0
    for component in found:
        print("module cycle: " + " <-> ".join(component))
        for a in component:
            for b in sorted(graph.get(a, {})):
                if b in component:
                    places = graph[a][b]
                    print("  %s -> %s: %s%s" % (a, b, ", ".join(places[:3]), " ..." if len(places) > 3 else ""))
    return 1


if __name__ == "__main__":
    sys.exit(main())

"""docs/data_dictionary.md, generated from the dbt project's own YAML and SQL (one source of truth).

`python -m c360.transform.docs` rewrites the file; tests/unit/test_data_dictionary.py fails when the
committed file is out of date. The lineage diagram (mermaid) is derived from the ref()/source() calls in
the models, so it can never drift from the code.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from c360.paths import DBT_DIR, DOCS_DIR

OUTPUT = DOCS_DIR / "data_dictionary.md"
LAYERS: tuple[tuple[str, str, str], ...] = (
    # (folder under models/, heading, schema)
    ("staging", "Silver: staging", "SILVER"),
    ("intermediate", "Silver: intermediate", "SILVER"),
    ("marts/core", "Gold: star schema", "GOLD"),
    ("marts/customer_analytics", "Gold: customer analytics", "GOLD"),
    ("marts/marketing", "Gold: marketing", "GOLD"),
)
_REF = re.compile(r"""ref\(\s*['"]([\w]+)['"]\s*\)""")
_SOURCE = re.compile(r"""source\(\s*['"](\w+)['"]\s*,\s*['"](\w+)['"]\s*\)""")


@dataclass
class Column:
    name: str
    description: str
    tests: list[str] = field(default_factory=list)


@dataclass
class Node:
    name: str
    kind: str  # model | seed | snapshot | source
    schema: str
    description: str
    columns: list[Column]
    materialization: str = ""
    parents: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)


def _test_names(tests: Iterable[object]) -> list[str]:
    names = []
    for test in tests or ():
        if isinstance(test, str):
            names.append(test)
        elif isinstance(test, dict):
            name = next(iter(test))
            args = (test[name] or {}).get("arguments") or {}
            if name == "accepted_values":
                names.append("accepted_values: " + ", ".join(map(str, args.get("values", []))))
            elif name == "relationships":
                names.append(f"relationships: {_strip_ref(args.get('to', ''))}.{args.get('field', '')}")
            elif name == "not_null_columns":
                continue  # shown as not_null on each column it covers
            elif name == "accepted_range":
                bounds = [f"{k.split('_')[0]} {args[k]}" for k in ("min_value", "max_value") if k in args]
                names.append("range: " + ", ".join(bounds))
            else:
                names.append(name)
    return names


def _strip_ref(text: str) -> str:
    match = _REF.search(text)
    return match.group(1) if match else text


def _columns(entries: Iterable[Mapping[str, Any]], model_tests: Iterable[object] = ()) -> list[Column]:
    not_null = _not_null_columns(model_tests)
    return [
        Column(
            c["name"],
            " ".join(str(c.get("description", "")).split()),
            (["not_null"] if c["name"] in not_null else []) + _test_names(c.get("data_tests", [])),
        )
        for c in entries or ()
    ]


def _not_null_columns(model_tests: Iterable[object]) -> set[str]:
    """Columns a model-level not_null_columns test covers (listed as not_null on each column)."""
    covered: set[str] = set()
    for test in model_tests or ():
        if isinstance(test, dict) and "not_null_columns" in test:
            covered.update((test["not_null_columns"] or {}).get("arguments", {}).get("columns", []))
    return covered


def _materialization(sql: str, default: str) -> str:
    match = re.search(r"materialized\s*=\s*['\"](\w+)['\"]", sql)
    return match.group(1) if match else default


def load_nodes(project: Path = DBT_DIR) -> list[Node]:
    nodes: list[Node] = []
    for folder, _heading, schema in LAYERS:
        default = "view" if folder == "staging" else "table"
        for yml in sorted((project / "models" / folder).rglob("*.yml")):
            for model in (yaml.safe_load(yml.read_text()) or {}).get("models", []):
                sql = yml.with_suffix(".sql").read_text()
                parents = sorted(set(_REF.findall(sql)) | {f"{a}.{b}" for a, b in _SOURCE.findall(sql)})
                nodes.append(
                    Node(
                        model["name"],
                        "model",
                        schema,
                        " ".join(str(model.get("description", "")).split()),
                        _columns(model.get("columns"), model.get("data_tests", [])),
                        _materialization(sql, default),
                        parents,
                        _test_names(model.get("data_tests", [])),
                    )
                )
    for seed in yaml.safe_load((project / "seeds" / "_seeds.yml").read_text())["seeds"]:
        nodes.append(
            Node(
                seed["name"],
                "seed",
                "SILVER",
                " ".join(seed["description"].split()),
                _columns(seed["columns"]),
            )
        )
    for path in sorted((project / "snapshots").glob("*.yml")):
        for snap in yaml.safe_load(path.read_text())["snapshots"]:
            nodes.append(
                Node(
                    snap["name"],
                    "snapshot",
                    "SILVER",
                    " ".join(snap["description"].split()),
                    _columns(snap.get("columns")),
                    "snapshot",
                    [_strip_ref(snap["relation"])],
                )
            )
    sources = yaml.safe_load((project / "models" / "staging" / "__sources.yml").read_text())["sources"]
    for source in sources:
        for table in source["tables"]:
            nodes.append(
                Node(
                    f"{source['name']}.{table['name']}",
                    "source",
                    str(source["schema"]),
                    " ".join(str(table.get("description", "")).split()),
                    _columns(table.get("columns")),
                )
            )
    return nodes


def lineage_mermaid(nodes: list[Node]) -> str:
    """A left-to-right flowchart: sources -> silver -> gold, one box per node, edges from ref()/source()."""
    ids = {n.name: re.sub(r"\W", "_", n.name) for n in nodes}
    groups = {
        "BRONZE": [n for n in nodes if n.kind == "source" and n.schema == "BRONZE"],
        "SILVER": [n for n in nodes if n.schema == "SILVER"],
        "GOLD": [n for n in nodes if n.schema == "GOLD"],
    }
    lines = ["flowchart LR"]
    for schema, members in groups.items():
        lines.append(f"  subgraph {schema}")
        for n in members:
            label = n.name.split(".")[-1]
            shape = f"[({label})]" if n.kind == "source" else f"[{label}]"
            lines.append(f"    {ids[n.name]}{shape}")
        lines.append("  end")
    for n in nodes:
        for parent in n.parents:
            if parent in ids:
                lines.append(f"  {ids[parent]} --> {ids[n.name]}")
    return "\n".join(lines)


def render(nodes: list[Node]) -> str:
    lines = [
        "# Data dictionary",
        "",
        "Generated by `python -m c360.transform.docs` from the dbt project's YAML and SQL (`dbt/`); edit",
        "the model `.yml` files, not this page. Schemas: `BRONZE` (raw landing), `SILVER` (cleaned, typed,",
        "de-duplicated; intermediate aggregates; snapshot; seeds), `GOLD` (star schema and marts).",
        "Spend metrics count **approved** transactions only; declined attempts are counted separately.",
        "Every time window is anchored on the platform's as-of date (dbt var `as_of`), never the run date.",
        "",
        "## Lineage",
        "",
        "```mermaid",
        lineage_mermaid(nodes),
        "```",
        "",
    ]
    sections = [("Bronze: sources", [n for n in nodes if n.kind == "source"])]
    for folder, heading, _schema in LAYERS:
        models = {p.stem for p in (DBT_DIR / "models" / folder).rglob("*.sql")}
        sections.append((heading, [n for n in nodes if n.kind == "model" and n.name in models]))
    sections.append(("Silver: snapshot and seeds", [n for n in nodes if n.kind in ("snapshot", "seed")]))
    for heading, members in sections:
        lines += [f"## {heading}", ""]
        for n in members:
            qualified = n.name if n.kind == "source" else f"{n.schema}.{n.name}"
            kind = n.materialization or n.kind
            lines += [f"### `{qualified}` ({kind})", "", n.description, ""]
            if n.parents:
                lines += ["Built from: " + ", ".join(f"`{p}`" for p in n.parents), ""]
            if n.tests:
                lines += ["Table tests: " + "; ".join(n.tests), ""]
            if n.columns:
                lines += ["| column | description | tests |", "|---|---|---|"]
                lines += [
                    f"| `{c.name}` | {c.description.replace('|', '/')} | {'; '.join(c.tests).replace('|', '/')} |"
                    for c in n.columns
                ]
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write(path: Path = OUTPUT) -> Path:
    path.write_text(render(load_nodes()))
    return path


if __name__ == "__main__":
    sys.stdout.write(f"wrote {write()}\n")

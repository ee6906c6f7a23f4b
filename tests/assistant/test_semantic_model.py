"""The semantic model file: valid against the Cortex Analyst structure, consistent with the contracts."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from c360 import names
from c360.assistant.descriptions import dbt_column_descriptions, fill_descriptions, plain_column
from c360.assistant.lexicon import load_vocabulary
from c360.assistant.model import (
    MODEL_PATH,
    YAML_LOADER,
    SemanticModel,
    SemanticModelError,
    load_model,
    parse_model,
)
from c360.assistant.spec import validate_structure
from c360.assistant.verified import to_physical_sql
from c360.grants import Role
from c360.guard import guard_select
from c360.reference import CATEGORIES

REQUIRED_TABLES = {
    "customer_360_profile",
    "fct_transactions",
    "dim_merchant_category",
    "metric_mom_spend_change",
    "customer_segments",
    "campaign_performance",
    "churn_predictions",
}


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.load(MODEL_PATH.read_text(), Loader=YAML_LOADER)


def test_shipped_model_is_structurally_valid(raw: dict[str, Any]) -> None:
    assert validate_structure(copy.deepcopy(raw)) == []


def test_model_covers_the_contract_tables_with_keys(model: SemanticModel) -> None:
    assert set(model.tables) >= REQUIRED_TABLES
    for table in model.tables.values():
        assert table.database == names.DATABASE and table.schema == names.GOLD
        assert table.primary_key, f"{table.name} needs a primary key"
        assert any(c.kind == "metric" for c in table.columns.values()) or table.name.startswith("dim_"), (
            f"{table.name}: a fact table needs a metric (dimension tables, dim_*, describe other tables' rows)"
        )
    assert {(r.left_table, r.right_table) for r in model.relationships} >= {
        ("fct_transactions", "customer_360_profile"),
        ("fct_transactions", "dim_merchant_category"),
        ("metric_mom_spend_change", "customer_360_profile"),
    }


def test_enumerations_match_the_contract_names(model: SemanticModel) -> None:
    profile = model.tables["customer_360_profile"].columns
    assert set(profile["customer_segment"].sample_values) == set(names.SEGMENTS)
    assert set(profile["churn_risk_category"].sample_values) == {*names.RISK_CATEGORIES, names.LAPSED}
    assert set(profile["card_type"].sample_values) == set(names.CARD_TYPES)
    assert set(profile["employment_status"].sample_values) == set(names.EMPLOYMENT_STATUSES)
    transactions = model.tables["fct_transactions"].columns
    assert set(transactions["channel"].sample_values) == set(names.CHANNELS)
    assert set(transactions["status"].sample_values) == set(names.STATUSES)
    merchants = {m for c in CATEGORIES for m in c.merchants}
    assert set(transactions["merchant_name"].sample_values) <= merchants
    categories = model.tables["dim_merchant_category"].columns["category_name"].sample_values
    assert {c.name for c in CATEGORIES} <= set(categories)


def test_vocabulary_aliases_point_at_real_values(model: SemanticModel) -> None:
    vocab = load_vocabulary()
    for ref, values in vocab.value_aliases.items():
        column = model.column(ref)
        assert column.kind == "dimension", ref
        assert set(values) <= set(column.sample_values), f"{ref}: {set(values) - set(column.sample_values)}"
    for ref in (
        *vocab.windowed_facts,
        *vocab.spend_window_facts.values(),
        *vocab.rate_facts.values(),
        vocab.age_fact,
        vocab.recency_fact,
    ):
        assert model.column(ref).kind == "fact", ref
    for table, column in vocab.default_time_dimension.items():
        assert model.column(f"{table}.{column}").kind == "time_dimension"
    for table, filters in vocab.default_filters.items():
        for name in filters:
            model.named_filter(f"{table}.{name}")


def test_verified_queries_use_logical_names_and_pass_the_guard(model: SemanticModel) -> None:
    assert len(model.verified_queries) >= 8
    assert sum(vq.onboarding for vq in model.verified_queries) >= 5
    for vq in model.verified_queries:
        assert "__" in vq.sql and "GOLD." not in vq.sql.upper(), vq.name
        physical = to_physical_sql(model, vq.sql, "duckdb")
        guarded = guard_select(physical, Role.MARKETING_MANAGER)
        assert all(t.startswith("GOLD.") for t in guarded.tables)


def _mutated(raw: dict[str, Any], mutate: Any) -> list[str]:
    broken = copy.deepcopy(raw)
    mutate(broken)
    return validate_structure(broken)


def _table(raw: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in raw["tables"] if t["name"] == name)


FCT = "tables.fct_transactions"
PROFILE = "tables.customer_360_profile"
VQ = "verified_queries.customers_per_segment"
REL = "relationships.transactions_to_customers"


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda r: r.pop("tables"), "model: missing required field 'tables'"),
        (lambda r: r.update(tables=[]), "tables: List should have at least 1 item after validation, not 0"),
        (
            lambda r: r.update(sample_questions=[]),
            "model: unknown field 'sample_questions' (allowed: custom_instructions, description, metrics, "
            "module_custom_instructions, name, relationships, tables, verified_queries)",
        ),
        (
            lambda r: _table(r, "fct_transactions").pop("base_table"),
            f"{FCT}: missing required field 'base_table'",
        ),
        (
            lambda r: _table(r, "fct_transactions")["base_table"].pop("schema"),
            f"{FCT}.base_table: missing required field 'schema'",
        ),
        (
            lambda r: _table(r, "fct_transactions")["base_table"].update(shema="GOLD"),
            f"{FCT}.base_table: unknown field 'shema' (allowed: database, schema, table)",
        ),
        (
            lambda r: _table(r, "fct_transactions")["dimensions"][0].update(data_type="STRINGY"),
            f"{FCT}.dimensions.transaction_id.data_type: 'STRINGY' is not a Snowflake data type",
        ),
        (
            lambda r: _table(r, "fct_transactions")["dimensions"][0].update(data_type=5),
            f"{FCT}.dimensions.transaction_id.data_type: Input should be a valid string, got 5",
        ),
        (
            lambda r: _table(r, "fct_transactions")["dimensions"][0].pop("expr"),
            f"{FCT}.dimensions.transaction_id: missing required field 'expr'",
        ),
        (
            lambda r: _table(r, "fct_transactions")["dimensions"][0].update(synonyms=["txn", " "]),
            f"{FCT}.dimensions.transaction_id.synonyms[1]: must be a non-empty string",
        ),
        (
            lambda r: _table(r, "fct_transactions")["dimensions"][0].update(sample_values=["a", ["b"]]),
            f"{FCT}.dimensions.transaction_id.sample_values[1]: must be a scalar value (text or a number), "
            "got ['b']",
        ),
        (
            lambda r: _table(r, "fct_transactions")["dimensions"][0].update(sample_values=["a", "a"]),
            f"{FCT}.dimensions.transaction_id.sample_values: has duplicates",
        ),
        (
            lambda r: _table(r, "fct_transactions")["dimensions"].append("channel"),
            f"{FCT}.dimensions[{{n}}]: must be a mapping, got 'channel'",
        ),
        (
            lambda r: _table(r, "fct_transactions").update(name="fct transactions"),
            "tables.fct transactions.name: 'fct transactions' must be an identifier (letters, digits, "
            "underscores)",
        ),
        (
            lambda r: _table(r, "fct_transactions")["metrics"][0].update(expr="transaction_amount"),
            f"{FCT}.metrics.total_spend.expr: must aggregate (SUM, AVG, COUNT, ...): a metric is an aggregate",
        ),
        (
            lambda r: _table(r, "fct_transactions")["dimensions"][0].update(aggregation="sum"),
            f"{FCT}.dimensions.transaction_id: unknown field 'aggregation' (allowed: cortex_search_service_name, "
            "data_type, description, expr, is_enum, name, sample_values, synonyms, unique)",
        ),
        (
            lambda r: _table(r, "customer_360_profile")["time_dimensions"][0].update(data_type="VARCHAR"),
            f"{PROFILE}.time_dimensions.account_open_date: a time dimension needs a date/timestamp data_type, "
            "got 'VARCHAR'",
        ),
        (
            lambda r: _table(r, "fct_transactions").update(measures=[]),
            f"{FCT}: use `facts` (current) or `measures` (legacy), not both",
        ),
        (
            lambda r: r["relationships"][0]["relationship_columns"][0].update(right_column="email"),
            f"{REL}: right_column(s) ['email'] must be the primary key of customer_360_profile ['customer_id']",
        ),
        (
            lambda r: r["relationships"][0]["relationship_columns"][0].update(left_column="nope"),
            f"{REL}.relationship_columns[0].left_column: 'nope' is not a column of fct_transactions",
        ),
        (
            lambda r: r["relationships"][0].update(right_table="ghost"),
            f"{REL}.right_table: 'ghost' is not a table of the model",
        ),
        (
            lambda r: r["relationships"][0].update(join_type="cross"),
            f"{REL}.join_type: Input should be 'left_outer' or 'inner'",
        ),
        (
            lambda r: r["relationships"][1].update(name=r["relationships"][0]["name"]),
            "relationships: duplicate relationship name 'transactions_to_customers'",
        ),
        (
            lambda r: r["verified_queries"][0].update(sql="SELECT * FROM GOLD.CUSTOMER_360_PROFILE"),
            f"{VQ}.sql: table 'GOLD.CUSTOMER_360_PROFILE' must be a logical table written as __<name>",
        ),
        (
            lambda r: r["verified_queries"][0].update(sql="DELETE FROM __customer_360_profile"),
            f"{VQ}.sql: must be exactly one SELECT statement",
        ),
        (
            lambda r: r["verified_queries"][0].update(verified_at="2024-05-03"),
            f"{VQ}.verified_at: Input should be a valid integer, got '2024-05-03'",
        ),
        (
            lambda r: r["verified_queries"][1].update(name=r["verified_queries"][0]["name"]),
            "verified_queries: duplicate verified query name 'customers_per_segment'",
        ),
        (
            lambda r: r["tables"].append(copy.deepcopy(_table(r, "dim_merchant_category"))),
            "tables: duplicate table name 'dim_merchant_category'",
        ),
        (
            lambda r: _table(r, "customer_360_profile")["dimensions"][0].update(name="age"),
            f"{PROFILE}: duplicate column name 'age' (names are shared across sections)",
        ),
        (
            lambda r: _table(r, "customer_360_profile")["filters"][1].update(
                name=_table(r, "customer_360_profile")["filters"][0]["name"]
            ),
            f"{PROFILE}: duplicate filter name 'at_risk'",
        ),
        (
            lambda r: _table(r, "customer_360_profile")["dimensions"][0].update(
                is_enum=True, sample_values=[]
            ),
            f"{PROFILE}.dimensions.customer_id: is_enum needs the complete list of values in sample_values",
        ),
        (
            lambda r: _table(r, "customer_360_profile")["filters"][0].update(expr="churn_risk_category IN ("),
            f"{PROFILE}.filters.at_risk.expr: is not a valid SQL expression (Expecting ). Line 1, Col: 24.)",
        ),
    ],
)
def test_structural_problems_are_reported(raw: dict[str, Any], mutate: Any, problem: str) -> None:
    """Each problem is reported with the path to the bad key (list items by name) and what was expected."""
    problems = _mutated(raw, mutate)
    n = len(_table(raw, "fct_transactions")["dimensions"])
    assert problem.replace("{n}", str(n)) in problems, problems


def test_a_list_item_without_a_name_is_located_by_its_index(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    del broken["tables"][1]["name"]
    assert validate_structure(broken) == ["tables[1]: missing required field 'name'"]


def test_parse_model_lists_every_problem() -> None:
    text = MODEL_PATH.read_text().replace("base_table:", "base_tabel:", 2)
    with pytest.raises(SemanticModelError) as err:
        parse_model(text)
    assert str(err.value).count("missing required field 'base_table'") == 2


def test_verified_listings_never_cut_rows_silently(model: SemanticModel) -> None:
    """A LIMIT in verified SQL is only for questions that ask for a ranking (a listing is capped by the guard)."""
    for vq in model.verified_queries:
        if " LIMIT " in f" {vq.sql.upper()} ":
            assert any(w in vq.question.lower() for w in ("top", "highest", "lowest", "most", "least")), (
                vq.name
            )


# ---- column descriptions: one home, the dbt model's YAML -------------------------------------------------------
def test_plain_columns_take_their_description_from_the_dbt_model() -> None:
    model = load_model()
    described = dbt_column_descriptions()
    filled = [
        column
        for table in model.tables.values()
        for column in table.columns.values()
        if column.kind != "metric"
        and plain_column(column.expr) in described.get(table.physical_name.lower(), {})
    ]
    assert len(filled) > 90
    for column in filled:
        table = model.tables[column.table]
        assert column.description == described[table.physical_name.lower()][plain_column(column.expr) or ""]


def test_a_column_described_in_both_places_is_a_structural_problem() -> None:
    raw = {
        "tables": [
            {
                "name": "customers",
                "base_table": {"database": "D", "schema": "GOLD", "table": "CUSTOMER_360_PROFILE"},
                "dimensions": [
                    {"name": "state", "expr": "state", "description": "A second text that would drift."},
                    {"name": "region", "expr": "region"},
                    {"name": "band", "expr": "upper(region)", "description": "Derived: keeps its own."},
                ],
            }
        ]
    }
    problems = fill_descriptions(
        raw, {"customer_360_profile": {"state": "Two-letter code.", "region": "Region."}}
    )
    assert problems == [
        "tables.customers.dimensions.state: described here and in dbt (customer_360_profile.state); keep one "
        "description, in the dbt model's YAML"
    ]
    columns = raw["tables"][0]["dimensions"]
    assert [c.get("description") for c in columns] == [
        "A second text that would drift.",
        "Region.",
        "Derived: keeps its own.",
    ]


def test_the_deployed_text_carries_the_filled_descriptions() -> None:
    model = load_model()
    deployed = yaml.safe_load(model.text)
    profile = next(t for t in deployed["tables"] if t["name"] == "customer_360_profile")
    credit_limit = next(c for c in profile["facts"] + profile["dimensions"] if c["name"] == "credit_limit")
    assert credit_limit["description"] == dbt_column_descriptions()["customer_360_profile"]["credit_limit"]
    assert parse_model(model.text).text == model.text  # the rendered file re-loads to itself

"""The numbers a marketer acts on, measured on the full-scale platform (no timing: values).

The seed's validation suite and the segment-quality agreement (SILVER.VALIDATION_SEED_CHECKS, what
`c360 validate` prints), the lapsed state and the risk bands over active customers, the card history
dim_customer holds, and the retention offer through the one campaign economics (measured, and the
simulator's default projection for the treated audience). Reads the bench platform as it is (`c360 up`
builds it when missing).
"""

from __future__ import annotations

from types import ModuleType

from c360.bench.platform import ensure_platform
from c360.bench.registry import BenchContext, BenchSection, benchmark
from c360.engines.readers import open_reader
from c360.errors import C360Error
from c360.paths import STREAMLIT_DIR
from c360.sqlfiles import load_sql
from c360.values import as_float

BANDS_SQL = """
select customer_status, churn_risk_category, count(*) as customers,
       round(avg(days_since_last_transaction), 1) as avg_days_since_last_transaction,
       round(avg(churn_risk_score), 1) as avg_score
from GOLD.CUSTOMER_360_PROFILE group by 1, 2 order by 1, 2
"""
VERSIONS_SQL = """
select count(*) as customers,
       sum(case when versions > 1 then 1 else 0 end) as with_history,
       max(versions) as max_versions,
       (select count(*) from GOLD.CUSTOMER_360_PROFILE where premium_upgrade_date is not null) as upgraded,
       (select count(*) from GOLD.CUSTOMER_360_PROFILE
        where premium_upgrade_date >= as_of_date - interval 6 month) as upgraded_last_6_months
from (select customer_id, count(*) as versions from GOLD.DIM_CUSTOMER group by 1)
"""


@benchmark("data_quality", "Data quality and the numbers a marketer acts on (full scale)", order=25)
def bench_data_quality(ctx: BenchContext) -> BenchSection:
    settings = ensure_platform(ctx)
    session = open_reader(settings)
    try:
        checks = session.query(load_sql("validation/seed_checks"))
        bands = session.query(BANDS_SQL)
        versions = session.query(VERSIONS_SQL).iloc[0]
        campaign = session.query(
            "select * from GOLD.CAMPAIGN_PERFORMANCE where campaign_group = 'treatment'"
        ).iloc[0]
        economics = session.query("select * from GOLD.CAMPAIGN_ECONOMICS").iloc[0]
        usual_spend = session.scalar(
            "select avg(coalesce(lifetime_avg_monthly_spend, avg_monthly_spend, 0)) "
            "from GOLD.CUSTOMER_360_PROFILE where campaign_group = 'treatment'"
        )
    except C360Error as exc:
        raise C360Error(f"reading the platform's validation and marketing tables failed: {exc}") from exc
    finally:
        session.close()

    simulator = _simulator_module()
    econ = simulator.Economics.from_row(economics)
    measured = simulator.measured(campaign, econ)
    projected = simulator.project(
        int(campaign["customers"]), as_float(usual_spend or 0), max(0.0, measured.retention_lift_pct), econ
    )
    active = bands[bands["customer_status"] == "Active"]
    banded = active[active["churn_risk_category"].isin(["High Risk", "Medium Risk", "Low Risk"])]
    medium_share = float(banded.loc[banded["churn_risk_category"] == "Medium Risk", "customers"].sum()) / max(
        1, int(banded["customers"].sum())
    )
    lapsed_in_bands = int(
        bands[
            (bands["customer_status"] == "Lapsed")
            & bands["churn_risk_category"].isin(["High Risk", "Medium Risk"])
        ]["customers"].sum()
    )
    agreement = checks[checks["check_id"] == "quality"]["measured_value"]
    section = BenchSection("data_quality", "Data quality and the numbers a marketer acts on (full scale)")
    section.tables[
        "The seed's validation suite (seed 001 section 11.4) and segment quality: c360 validate"
    ] = [
        {
            "check": r.check_id,
            "what": r.check_name,
            "subject": r.subject,
            "measured": as_float(r.measured_value),
            "passes if": f"{r.lower_bound:g}-{r.upper_bound:g} {r.unit}",
            "status": r.status,
        }
        for r in checks.itertuples()
    ]
    section.tables["Customer status and risk band (customer_360_profile)"] = [
        {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in bands.to_dict("records")
    ]
    section.tables["Retention offer through the one campaign economics"] = [
        {
            "figure": "measured, post-period so far",
            "customers": measured.so_far.customers,
            "spend kept / customer / month": measured.so_far.spend_kept_per_customer_month,
            "months": round(measured.so_far.months, 2),
            "incremental revenue": measured.so_far.incremental_revenue,
            "cost": measured.so_far.total_cost,
            "ROI %": measured.so_far.roi_pct,
        },
        {
            "figure": f"measured, if the lift lasts {econ.horizon_months:g} months",
            "customers": measured.horizon.customers,
            "spend kept / customer / month": measured.horizon.spend_kept_per_customer_month,
            "months": measured.horizon.months,
            "incremental revenue": measured.horizon.incremental_revenue,
            "cost": measured.horizon.total_cost,
            "ROI %": measured.horizon.roi_pct,
        },
        {
            "figure": f"projected, the simulator's default ({measured.retention_lift_pct:.2f} pp retention lift)",
            "customers": projected.value.customers,
            "spend kept / customer / month": projected.value.spend_kept_per_customer_month,
            "months": projected.value.months,
            "incremental revenue": projected.value.incremental_revenue,
            "cost": projected.value.total_cost,
            "ROI %": projected.value.roi_pct,
        },
        {
            "figure": "the seed's (recovered spend - cost) / cost, same data",
            "customers": measured.so_far.customers,
            "spend kept / customer / month": measured.so_far.spend_kept_per_customer_month,
            "months": round(measured.so_far.months, 2),
            "incremental revenue": measured.so_far.incremental_spend,
            "cost": measured.so_far.total_cost,
            "ROI %": float(campaign["seed_formula_roi_pct"]),
        },
    ]
    failed = checks[checks["status"] == "FAIL"]
    section.notes += [
        f"Segment quality: the rule-derived segment equals the generator's persona for "
        f"{float(agreement.iloc[0]):.1f} % of the customers the generator did not attrite."
        if len(agreement)
        else "Segment quality: not measured.",
        f"Validation suite: {len(checks) - len(failed)} of {len(checks)} rows pass or are report-only; "
        f"{len(failed)} fail.",
        f"Risk bands: {lapsed_in_bands} lapsed customers in High/Medium (must be 0); Medium Risk holds "
        f"{medium_share:.1%} of banded active customers.",
        f"Card history: {int(versions['with_history']):,} of {int(versions['customers']):,} customers have more "
        f"than one dim_customer version (up to {int(versions['max_versions'])}); {int(versions['upgraded']):,} "
        f"upgraded to Premium, {int(versions['upgraded_last_6_months']):,} in the last 6 months.",
        f"Retention lift measured: {measured.retention_lift_pct:.2f} pp (95 % CI "
        f"{measured.retention_ci_pct[0]:.2f} to {measured.retention_ci_pct[1]:.2f}); economics: revenue "
        f"{econ.revenue_rate:.1%} of spend, ${econ.cost_per_customer:,.2f} per targeted customer, "
        f"{econ.horizon_months:g}-month horizon.",
    ]
    return section


def _simulator_module() -> ModuleType:
    """streamlit/simulator.py (the app's one campaign formula; streamlit/ is not a package)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("c360_app_simulator", STREAMLIT_DIR / "simulator.py")
    if spec is None or spec.loader is None:
        raise C360Error("streamlit/simulator.py not found")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module while the class is built
    spec.loader.exec_module(module)
    return module

"""Campaign Performance: the retention offer's A/B result, and an ROI simulator for the next campaign."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import charts
import exports
import filter_state
import formatting as fmt
import queries
import simulator
from app_context import AppContext
from compat import download_button, stretch

TITLE = "📈 Campaign Performance"
AUDIENCE_KEY = "campaign.applied"  # the AudienceFilters the simulator shows
FIND_LABEL = "🔍 Find target audience"
AUDIENCE_LABELS = {
    "segments": "segments",
    "risks": "churn risk",
    "cards": "card types",
    "min_ltv": "min lifetime value",
    "min_churn_score": "min churn risk score",
}
TARGET_COLUMNS = {
    "customer_id": st.column_config.TextColumn("Customer ID"),
    "full_name": st.column_config.TextColumn("Name"),
    "email": st.column_config.TextColumn("Email"),
    "customer_segment": st.column_config.TextColumn("Segment"),
    "churn_risk_category": st.column_config.TextColumn("Churn risk"),
    "churn_risk_score": st.column_config.NumberColumn("Risk score", format="%.1f"),
    "card_type": st.column_config.TextColumn("Card"),
    "lifetime_value": st.column_config.NumberColumn("Lifetime value", format="dollar"),
    "avg_monthly_spend": st.column_config.NumberColumn("Avg monthly spend", format="dollar"),
    "spend_last_90_days": st.column_config.NumberColumn("Spend, 90 days", format="dollar"),
    "state": st.column_config.TextColumn("State"),
}


def render(ctx: AppContext) -> None:
    st.subheader(TITLE)
    st.caption("Did the retention offer pay off, and what would the next campaign return?")
    _ab_result(ctx)
    st.divider()
    _simulator(ctx)


# ---- A/B result ----------------------------------------------------------------------------------------


def _ab_result(ctx: AppContext) -> None:
    results = queries.campaign_results(ctx)
    if results.empty or not {"treatment", "control"} <= set(results["campaign_group"]):
        st.info("No campaign result yet: the campaign_performance table has no treatment and control groups.")
        return
    treatment = results[results["campaign_group"] == "treatment"].iloc[0]
    control = results[results["campaign_group"] == "control"].iloc[0]
    st.markdown(f"#### 🧪 {fmt.text(treatment.get('campaign_name'))}: A/B result")
    st.caption(
        f"Offer sent {pd.Timestamp(treatment['offer_month']):%B %Y}. Pre-period "
        f"{fmt.day(treatment['pre_period_start'])} to {fmt.day(treatment['pre_period_end'])}; post-period "
        f"{fmt.day(treatment['post_period_start'])} to {fmt.day(treatment['post_period_end'])} "
        f"({fmt.number(treatment.get('post_period_days'))} days). Customers were randomly assigned."
    )
    left, right = st.columns(2)
    for column, row, label in (
        (left, treatment, "🎯 Treatment (received the offer)"),
        (right, control, "👥 Control"),
    ):
        with column, st.container(border=True):
            st.markdown(f"**{label}**")
            a, b, c = st.columns(3)
            a.metric("Customers", fmt.number(row["customers"]))
            b.metric(
                "Pre-offer / month",
                fmt.money(row["pre_avg_monthly_spend"]),
                help="Average spend per customer per month before the offer",
            )
            c.metric(
                "Post-offer / month",
                fmt.money(row["post_avg_monthly_spend"]),
                delta=fmt.signed_pct(row["spend_change_pct"])
                if not fmt.is_missing(row["spend_change_pct"])
                else None,
            )
            st.caption(f"Active after the offer: {fmt.pct(row['active_post_pct'])} of customers")

    significant = bool(treatment.get("is_lift_significant"))
    m = st.columns(5)
    m[0].metric(
        "Lift / customer / month",
        fmt.money(treatment["lift_per_customer_month"], 2),
        help=f"95% CI {fmt.money(treatment['lift_ci_low'], 2)} to {fmt.money(treatment['lift_ci_high'], 2)}",
    )
    m[1].metric(
        "Retention lift",
        f"{fmt.number(treatment['retention_lift_pct_points'], 1)} pp",
        help="Share active after the offer, treatment minus control (percentage points)",
    )
    m[2].metric(
        "Incremental revenue",
        fmt.money(treatment["incremental_revenue"]),
        help=f"Incremental spend {fmt.money(treatment['incremental_spend'])} x revenue rate",
    )
    m[3].metric("Campaign cost", fmt.money(treatment["campaign_cost"]))
    m[4].metric("Measured ROI", fmt.pct(treatment["roi_pct"]))
    if significant:
        st.success(
            f"The lift is statistically significant: 95% interval {fmt.money(treatment['lift_ci_low'], 2)} to "
            f"{fmt.money(treatment['lift_ci_high'], 2)} per customer per month excludes zero."
        )
    else:
        st.warning(
            f"The lift is not statistically significant: its 95% interval ({fmt.money(treatment['lift_ci_low'], 2)} "
            f"to {fmt.money(treatment['lift_ci_high'], 2)} per customer per month) includes zero."
        )

    monthly = queries.campaign_monthly(ctx)
    c1, c2 = st.columns([3, 2])
    with c1:
        st.plotly_chart(
            charts.campaign_trend(
                monthly, pd.Timestamp(treatment["offer_month"]), "Average spend per customer, by month"
            ),
            key="campaign.trend",
            **stretch(),
        )
        st.caption("The last month is incomplete (it ends at the as-of date).")
    with c2:
        bars = pd.DataFrame(
            [
                {"campaign_group": g, "period": period, "avg_spend": row[f"{period}_avg_monthly_spend"]}
                for g, row in (("treatment", treatment), ("control", control))
                for period in ("pre", "post")
            ]
        )
        st.plotly_chart(
            charts.group_comparison(bars, "Pre vs post, per customer per month"),
            key="campaign.groups",
            **stretch(),
        )
    with st.expander("How this is measured"):
        st.markdown(
            "A **difference-in-differences** on the randomised groups: each customer's monthly spend rate after the "
            "offer minus before it, averaged per group; **lift** = treatment change − control change, with a 95% "
            "normal interval (Welch standard error). **Incremental spend** = lift × treated customers × post-period "
            "months; **incremental revenue** applies the revenue rate (interchange and fees) to it; **cost** = "
            "treated customers × cost per customer; **ROI** = (revenue − cost) / cost."
        )


# ---- ROI simulator -------------------------------------------------------------------------------------


def _init_simulator_state(options: queries.FilterOptions) -> None:
    applied = filter_state.last_applied(AUDIENCE_KEY)  # kept while the tab was closed
    defaults: dict[str, object] = {
        "campaign.segments": [s for s in ("Declining",) if s in options.segments],
        "campaign.risks": [r for r in ("High Risk", "Medium Risk") if r in options.risks],
        "campaign.cards": list(options.cards),
        "campaign.min_ltv": 5_000.0,
        "campaign.min_score": 0,
    }
    if applied is not None:
        defaults = {
            "campaign.segments": list(applied.segments),
            "campaign.risks": list(applied.risks),
            "campaign.cards": list(applied.cards),
            "campaign.min_ltv": float(applied.min_ltv),
            "campaign.min_score": int(applied.min_churn_score),
        }
    defaults |= {
        "campaign.incentive": 50.0,
        "campaign.retention": 30,
        "campaign.cost": 5.0,
        "campaign.value_rate": 20,
    }
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = value


def _simulator(ctx: AppContext) -> None:
    st.markdown("#### 💰 Retention campaign ROI simulator")
    options = queries.filter_options(ctx)
    _init_simulator_state(options)
    with st.container(border=True):
        st.markdown("**🎯 Define target audience**")
        c1, c2, c3 = st.columns(3)
        c1.multiselect(
            "Customer segments", options.segments, key="campaign.segments", placeholder="All segments"
        )
        c2.multiselect(
            "Churn risk levels", options.risks, key="campaign.risks", placeholder="All risk levels"
        )
        c3.multiselect("Card types", options.cards, key="campaign.cards", placeholder="All card types")
        with st.expander("🔧 Advanced filters"):
            a1, a2 = st.columns(2)
            a1.number_input(
                "Min lifetime value ($)", min_value=0.0, step=1_000.0, format="%.0f", key="campaign.min_ltv"
            )
            a2.slider(
                "Min churn risk score",
                min_value=0,
                max_value=100,
                step=5,
                key="campaign.min_score",
                help="0 keeps every score (and unscored customers); the risk levels already mean ≥70 (High) and "
                "≥40 (Medium). Raise it to target within a level.",
            )
        find = st.button(FIND_LABEL, type="primary", key="campaign.find")
    current = queries.AudienceFilters(
        segments=tuple(st.session_state["campaign.segments"]),
        risks=tuple(st.session_state["campaign.risks"]),
        cards=tuple(st.session_state["campaign.cards"]),
        min_ltv=float(st.session_state["campaign.min_ltv"] or 0),
        min_churn_score=float(st.session_state["campaign.min_score"] or 0),
    )
    filters = filter_state.applied(AUDIENCE_KEY, current, apply_now=find)
    if current != filters:
        filter_state.show_pending(filter_state.changed_fields(current, filters, AUDIENCE_LABELS), FIND_LABEL)
    with st.spinner("Finding target audience..."):
        audience_size, avg_ltv = queries.campaign_audience(ctx, filters)
    if audience_size == 0:
        st.warning("No customers match the selected criteria. Widen the audience and search again.")
        return
    st.success(
        f"✅ Found {fmt.number(audience_size)} customers matching the criteria (average LTV {fmt.money(avg_ltv)})."
    )

    st.markdown("**⚙️ Campaign parameters**")
    p1, p2, p3, p4 = st.columns(4)
    p1.number_input(
        "Incentive per customer ($)",
        min_value=0.0,
        max_value=500.0,
        step=10.0,
        format="%.0f",
        key="campaign.incentive",
        help="Statement credit or reward offered to every targeted customer",
    )
    p2.slider(
        "Expected retention rate (%)",
        min_value=0,
        max_value=100,
        step=5,
        key="campaign.retention",
        help="Share of the targeted customers the campaign keeps",
    )
    p3.number_input(
        "Campaign cost per customer ($)",
        min_value=0.0,
        max_value=100.0,
        step=1.0,
        format="%.0f",
        key="campaign.cost",
        help="Email, SMS and operations cost per targeted customer",
    )
    p4.slider(
        "Value of a retained customer (% of LTV / year)",
        min_value=5,
        max_value=50,
        step=5,
        key="campaign.value_rate",
        help="The original simulator's assumption is 20% of lifetime value per year",
    )
    inputs = simulator.CampaignInputs(
        incentive_per_customer=float(st.session_state["campaign.incentive"]),
        retention_rate_pct=float(st.session_state["campaign.retention"]),
        cost_per_customer=float(st.session_state["campaign.cost"]),
        value_rate=float(st.session_state["campaign.value_rate"]) / 100.0,
    )
    result = simulator.campaign_roi(audience_size, avg_ltv, inputs)
    even = simulator.breakeven(audience_size, avg_ltv, inputs)
    _roi_section(result, inputs, even)
    _target_list(ctx, filters, audience_size)
    _recommendations(result, inputs, even)


def _roi_section(
    result: simulator.CampaignResult, inputs: simulator.CampaignInputs, even: simulator.Breakeven
) -> None:
    st.markdown("**📊 Campaign ROI analysis**")
    m = st.columns(4)
    m[0].metric("Target customers", fmt.number(result.num_customers))
    m[1].metric("Total cost", fmt.money(result.total_cost))
    m[2].metric("Expected retained", fmt.number(result.expected_retained_customers))
    m[3].metric(
        "Projected ROI",
        fmt.pct(result.roi_pct),
        delta=f"{fmt.money(result.net_benefit)} net benefit",
        delta_color="normal",
    )
    c1, c2 = st.columns([1, 1])
    with c1:
        st.plotly_chart(
            charts.cost_breakdown_pie(simulator.cost_breakdown(result)), key="campaign.cost_pie", **stretch()
        )
    with c2:
        st.markdown("**📈 Expected value**")
        st.metric("Retained customer value", fmt.money(result.expected_retained_value))
        st.metric("Cost per retained customer", fmt.money(result.cost_per_retained_customer, 2))
        st.metric("Net benefit", fmt.money(result.net_benefit))
    with st.expander("🧮 How these numbers are computed (check them by hand)"):
        st.markdown(
            f"- Incentive cost = {fmt.number(result.num_customers)} × {fmt.money(inputs.incentive_per_customer)} = "
            f"**{fmt.money(result.incentive_cost)}**\n"
            f"- Campaign cost = {fmt.number(result.num_customers)} × {fmt.money(inputs.cost_per_customer)} = "
            f"**{fmt.money(result.campaign_cost)}**; total cost **{fmt.money(result.total_cost)}**\n"
            f"- Retained = ⌊{fmt.number(result.num_customers)} × {inputs.retention_rate_pct:g}%⌋ = "
            f"**{fmt.number(result.expected_retained_customers)}** customers\n"
            f"- Value per retained customer = {inputs.value_rate:.0%} × average LTV {fmt.money(result.avg_ltv, 2)} = "
            f"**{fmt.money(result.value_per_retained_customer, 2)}**\n"
            f"- Retained value = {fmt.number(result.expected_retained_customers)} × "
            f"{fmt.money(result.value_per_retained_customer, 2)} = **{fmt.money(result.expected_retained_value)}**\n"
            f"- Net benefit = retained value − total cost = **{fmt.money(result.net_benefit)}**; "
            f"ROI = net benefit / total cost = **{fmt.pct(result.roi_pct)}**"
        )

    st.markdown("**🔬 Sensitivity analysis**")
    curve = simulator.sensitivity(result.num_customers, result.avg_ltv, inputs)
    st.plotly_chart(
        charts.sensitivity_curve(curve, inputs.retention_rate_pct, even.exact_rate_pct),
        key="campaign.sensitivity",
        **stretch(),
    )
    if even.reachable:
        st.info(
            f"💡 **Breakeven point:** the campaign breaks even at **{even.rate_pct}% retention** "
            f"({fmt.number(even.customers_needed)} of {fmt.number(result.num_customers)} customers retained, "
            f"exactly {even.exact_rate_pct:.2f}%)."
        )
    else:
        st.warning(
            "⚠️ The campaign does not break even at any retention rate up to 100%: lower the incentive or cost."
        )


def _target_list(ctx: AppContext, filters: queries.AudienceFilters, audience_size: int) -> None:
    st.markdown("**📋 Target customer list**")
    st.caption(f"Top 10 highest-risk customers (of {fmt.number(audience_size)} total)")
    st.dataframe(
        queries.campaign_targets(ctx, filters),
        hide_index=True,
        column_config=TARGET_COLUMNS,
        key="campaign.top10",
        **stretch(),
    )
    download_button(
        f"📥 Download the full target list ({fmt.number(audience_size)} customers, CSV)",
        lambda: exports.csv_file(queries.campaign_targets_export(ctx, filters)),
        file_name=exports.export_name("campaign_targets"),
        type="primary",
        key="campaign.download",
        version=f"{abs(hash(filters)) % 10**8}",
    )


def _recommendations(
    result: simulator.CampaignResult, inputs: simulator.CampaignInputs, even: simulator.Breakeven
) -> None:
    breakeven_text = (
        f"breaks even at {even.rate_pct}% retention"
        if even.reachable
        else "does not break even at any retention rate"
    )
    with st.expander("💡 Campaign recommendations"):
        st.markdown(
            f"**Expected outcome:** ROI {fmt.pct(result.roi_pct)} at {inputs.retention_rate_pct:g}% retention; the "
            f"campaign {breakeven_text}.\n\n"
            "**Targeting:** start with High Risk customers (score ≥ 70) who still spend; personalise the offer by "
            "segment (travel credits for High-Value Travelers, everyday cash-back for Budget-Conscious).\n\n"
            "**Messaging:** the benefits of staying, an exclusive loyalty offer, a limited-time deadline.\n\n"
            "**Timing:** reach high-risk customers within 7 days, follow up after 2 weeks, watch spend for 30 days.\n\n"
            f"**Success metrics:** retention of at least {inputs.retention_rate_pct:g}%, spend back to the pre-decline "
            "level, actual vs projected ROI (measure it with a control group, like the A/B result above)."
        )

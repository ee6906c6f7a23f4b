"""Campaign Performance: the retention offer's A/B result and an ROI simulator for the next campaign, both
through ONE campaign economics (simulator.py; configured once in GOLD.CAMPAIGN_ECONOMICS)."""

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
RETENTION, WIN_BACK = "Retention: active customers at risk", "Win-back: lapsed customers"
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
    "customer_status": st.column_config.TextColumn("Status"),
    "days_since_last_transaction": st.column_config.NumberColumn("Days since last txn", format="%d"),
    "card_type": st.column_config.TextColumn("Card"),
    "lifetime_value": st.column_config.NumberColumn("Lifetime value", format="dollar"),
    "avg_monthly_spend": st.column_config.NumberColumn("Spend / month, 90 days", format="dollar"),
    "lifetime_avg_monthly_spend": st.column_config.NumberColumn("Usual spend / month", format="dollar"),
    "spend_last_90_days": st.column_config.NumberColumn("Spend, 90 days", format="dollar"),
    "state": st.column_config.TextColumn("State"),
}
WHY_NOT_SEED_ROI = (
    "**Why not the seed's “(recovered spend − cost) / cost”?** It counts every recovered dollar of card "
    "*spend* as if the bank kept it. The bank earns only its revenue rate on spend (interchange and fees, "
    "about 3 %), so that ratio overstates the return roughly 1 / revenue-rate times (~33× at 3 %), and it "
    "says nothing about how long the effect lasts. Here every ROI — measured and projected — is "
    "(incremental spend × revenue rate − cost) / cost over a stated number of months."
)


def render(ctx: AppContext) -> None:
    st.subheader(TITLE)
    st.caption("Did the retention offer pay off, and what would the next campaign return?")
    economics = _economics(ctx)
    if economics is None:
        st.info("No campaign economics yet: the campaign_economics table is missing. Run `c360 up`.")
        return
    result = _ab_result(ctx, economics)
    st.divider()
    _simulator(ctx, economics, result)


def _economics(ctx: AppContext) -> simulator.Economics | None:
    frame = queries.campaign_economics(ctx)
    return None if frame.empty else simulator.Economics.from_row(frame.iloc[0])


def _economics_caption(e: simulator.Economics) -> str:
    return (
        f"Economics (one definition for every figure here, `dbt_project.yml` campaign vars): revenue "
        f"{e.revenue_rate:.1%} of spend, incentive {fmt.money(e.incentive_per_customer)} + contact "
        f"{fmt.money(e.contact_cost_per_customer)} per targeted customer, value counted over "
        f"{e.horizon_months:g} months."
    )


# ---- A/B result ----------------------------------------------------------------------------------------


def _ab_result(ctx: AppContext, economics: simulator.Economics) -> simulator.Measured | None:
    results = queries.campaign_results(ctx)
    if results.empty or not {"treatment", "control"} <= set(results["campaign_group"]):
        st.info("No campaign result yet: the campaign_performance table has no treatment and control groups.")
        return None
    treatment = results[results["campaign_group"] == "treatment"].iloc[0]
    control = results[results["campaign_group"] == "control"].iloc[0]
    measured = simulator.measured(treatment, economics)
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
    low, high = measured.retention_ci_pct
    m = st.columns(5)
    m[0].metric(
        "Lift / customer / month",
        fmt.money(treatment["lift_per_customer_month"], 2),
        help=f"Spend kept per treated customer per month (difference in differences); 95% CI "
        f"{fmt.money(treatment['lift_ci_low'], 2)} to {fmt.money(treatment['lift_ci_high'], 2)}",
    )
    m[1].metric(
        "Retention lift",
        f"{fmt.number(measured.retention_lift_pct, 1)} pp",
        help=f"Share active after the offer, treatment minus control (percentage points); 95% CI "
        f"{fmt.number(low, 1)} to {fmt.number(high, 1)} pp. The simulator below starts from it.",
    )
    m[2].metric(
        "Incremental revenue",
        fmt.money(measured.so_far.incremental_revenue),
        help=f"Incremental spend {fmt.money(measured.so_far.incremental_spend)} × revenue rate "
        f"{economics.revenue_rate:.1%}, post-period so far",
    )
    m[3].metric("Campaign cost", fmt.money(measured.so_far.total_cost))
    m[4].metric(
        "Measured ROI",
        _roi_text(measured.so_far.roi_pct),
        help="(incremental revenue − cost) / cost over the post-period measured so far",
    )
    st.caption(
        f"If the measured lift lasts {economics.horizon_months:g} months: incremental revenue "
        f"{fmt.money(measured.horizon.incremental_revenue)}, ROI {_roi_text(measured.horizon.roi_pct)}. "
        f"The seed's formula on the same numbers, (recovered spend − cost) / cost, would claim "
        f"{fmt.pct(treatment.get('seed_formula_roi_pct'))}: it counts spend as if it were revenue."
    )
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
    st.download_button(
        "📥 Download campaign results (CSV)",
        data=exports.csv_bytes(results),
        file_name=exports.export_name("campaign_results"),
        mime="text/csv",
        key="campaign.results_download",
        help="Both groups with every measured figure (lift, intervals, revenue, cost, ROI, the economics used)",
    )
    with st.expander("How this is measured"):
        st.markdown(
            "A **difference-in-differences** on the randomised groups: each customer's monthly spend rate after the "
            "offer minus before it, averaged per group; **lift** = treatment change − control change, with a 95% "
            "normal interval (Welch standard error). **Retention lift** = share active after the offer, treatment − "
            "control, with a two-proportion 95% interval. **Incremental spend** = lift × treated customers × months; "
            "**incremental revenue** = incremental spend × revenue rate; **cost** = treated customers × (incentive + "
            "contact cost); **ROI** = (revenue − cost) / cost.\n\n" + WHY_NOT_SEED_ROI
        )
        st.caption(_economics_caption(economics))
    return measured


# ---- ROI simulator -------------------------------------------------------------------------------------


def _init_simulator_state(
    options: queries.FilterOptions, economics: simulator.Economics, measured: simulator.Measured | None
) -> None:
    lift = max(0.0, round(measured.retention_lift_pct, 1)) if measured is not None else 0.0
    applied = filter_state.last_applied(AUDIENCE_KEY)  # kept while the tab was closed
    defaults: dict[str, object] = {
        "campaign.audience": RETENTION,
        "campaign.segments": [s for s in ("Declining",) if s in options.segments],
        "campaign.risks": [r for r in queries.RETENTION_RISKS if r in options.risks],
        "campaign.cards": list(options.cards),
        "campaign.min_ltv": 5_000.0,
        "campaign.min_score": 0,
    }
    if applied is not None:
        defaults |= {
            "campaign.segments": list(applied.segments),
            "campaign.risks": list(applied.risks),
            "campaign.cards": list(applied.cards),
            "campaign.min_ltv": float(applied.min_ltv),
            "campaign.min_score": int(applied.min_churn_score),
        }
    defaults |= {
        "campaign.incentive": float(economics.incentive_per_customer),
        "campaign.retention": lift,
        "campaign.cost": float(economics.contact_cost_per_customer),
        "campaign.revenue_rate": round(economics.revenue_rate * 100, 2),
        "campaign.horizon": int(economics.horizon_months),
    }
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = value


def _on_audience_change(risks: tuple[str, ...], segments: tuple[str, ...]) -> None:
    """Callback: the audience kind presets the risk filter (lapsed customers have no risk band)."""
    win_back = st.session_state.get("campaign.audience") == WIN_BACK
    preset = queries.WIN_BACK_RISKS if win_back else queries.RETENTION_RISKS
    st.session_state["campaign.risks"] = [r for r in preset if r in risks]
    st.session_state["campaign.segments"] = [] if win_back else [s for s in ("Declining",) if s in segments]


def _simulator(ctx: AppContext, economics: simulator.Economics, measured: simulator.Measured | None) -> None:
    st.markdown("#### 💰 Campaign ROI simulator")
    options = queries.filter_options(ctx)
    _init_simulator_state(options, economics, measured)
    st.radio(
        "Audience",
        [RETENTION, WIN_BACK],
        key="campaign.audience",
        horizontal=True,
        on_change=_on_audience_change,
        args=(options.risks, options.segments),
        help="Retention targets active customers in the High/Medium risk bands; win-back targets lapsed customers "
        "(no approved transaction for 60+ days), who have no risk band because they are already gone.",
    )
    with st.container(border=True):
        st.markdown("**🎯 Define target audience**")
        c1, c2, c3 = st.columns(3)
        c1.multiselect(
            "Customer segments", options.segments, key="campaign.segments", placeholder="All segments"
        )
        c2.multiselect(
            "Churn risk / status",
            options.risks,
            key="campaign.risks",
            placeholder="All",
            help="High / Medium / Low Risk band active customers; Lapsed is the win-back audience.",
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
                help="0 keeps every customer, including lapsed and unscored ones (they have no score). The bands "
                "already mean ≥50 (High) and ≥10 (Medium); raise it to target within a band.",
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
        audience = queries.campaign_audience(ctx, filters)
    if audience.customers == 0:
        st.warning("No customers match the selected criteria. Widen the audience and search again.")
        return
    st.success(
        f"✅ Found {fmt.number(audience.customers)} customers matching the criteria (average LTV "
        f"{fmt.money(audience.avg_ltv)}, usual spend {fmt.money(audience.avg_usual_monthly_spend)} a month)."
    )

    what_if = _parameters(economics, measured)
    lift = float(st.session_state["campaign.retention"])
    projection = simulator.project(audience.customers, audience.avg_usual_monthly_spend, lift, what_if)
    even = simulator.breakeven(audience.customers, audience.avg_usual_monthly_spend, what_if)
    _roi_section(projection, what_if, even)
    if measured is not None:
        _side_by_side(measured.horizon, projection)
    _target_list(ctx, filters, audience.customers)
    _recommendations(projection, even)


def _parameters(economics: simulator.Economics, measured: simulator.Measured | None) -> simulator.Economics:
    st.markdown("**⚙️ Campaign parameters**")
    p1, p2, p3 = st.columns(3)
    p1.number_input(
        "Incentive per customer ($)",
        min_value=0.0,
        max_value=500.0,
        step=5.0,
        format="%.0f",
        key="campaign.incentive",
        help="Statement credit or reward offered to every targeted customer",
    )
    if measured is not None:
        low, high = measured.retention_ci_pct
        retention_help = (
            f"Percentage points of the audience the offer keeps (or wins back). Starts at the A/B test's measured "
            f"retention lift, {measured.retention_lift_pct:.1f} pp (95% CI {low:.1f} to {high:.1f} pp)."
        )
    else:
        retention_help = "Percentage points of the audience the offer keeps (or wins back)."
    p2.number_input(
        "Expected retention lift (pp)",
        min_value=0.0,
        max_value=100.0,
        step=0.1,
        format="%.1f",
        key="campaign.retention",
        help=retention_help,
    )
    p3.number_input(
        "Contact cost per customer ($)",
        min_value=0.0,
        max_value=100.0,
        step=1.0,
        format="%.0f",
        key="campaign.cost",
        help="Email, SMS and operations cost per targeted customer",
    )
    if measured is not None:
        low, high = measured.retention_ci_pct
        st.caption(
            f"Measured on the last offer: retention lift {measured.retention_lift_pct:.1f} pp (95% CI {low:.1f} to "
            f"{high:.1f} pp). A projection above the interval's top assumes a better offer than the one tested."
        )
    with st.expander("💵 What spend is worth (defaults: the configured campaign economics)"):
        e1, e2 = st.columns(2)
        e1.number_input(
            "Revenue on spend (%)",
            min_value=0.0,
            max_value=100.0,
            step=0.25,
            format="%.2f",
            key="campaign.revenue_rate",
            help="What the bank earns per dollar of card spend (interchange and fees)",
        )
        e2.number_input(
            "Months a kept customer counts",
            min_value=0,
            max_value=60,
            step=1,
            key="campaign.horizon",
            help="Horizon over which a retained customer's spend is valued",
        )
        st.caption(_economics_caption(economics) + " Changes here are what-ifs for this session.")
    return simulator.Economics(
        revenue_rate=float(st.session_state["campaign.revenue_rate"]) / 100.0,
        incentive_per_customer=float(st.session_state["campaign.incentive"]),
        contact_cost_per_customer=float(st.session_state["campaign.cost"]),
        horizon_months=float(st.session_state["campaign.horizon"]),
    )


def _roi_text(roi_pct: float | None) -> str:
    return "n/a" if roi_pct is None else fmt.pct(roi_pct)


def _roi_section(p: simulator.Projection, e: simulator.Economics, even: simulator.Breakeven) -> None:
    v = p.value
    st.markdown("**📊 Projected campaign ROI**")
    m = st.columns(4)
    m[0].metric("Target customers", fmt.number(v.customers))
    m[1].metric("Total cost", fmt.money(v.total_cost))
    m[2].metric("Expected retained", fmt.number(p.retained_customers))
    m[3].metric(
        "Projected ROI",
        _roi_text(v.roi_pct),
        delta=f"{fmt.money(v.net_benefit)} net benefit",
        delta_color="normal",
        help="ROI is undefined when the campaign costs nothing" if v.roi_pct is None else None,
    )
    if v.roi_pct is None:
        st.info(
            "ROI is undefined: with no incentive and no contact cost nothing is spent, so there is no return "
            "on it to measure. The net benefit still applies."
        )
    c1, c2 = st.columns([1, 1])
    with c1:
        st.plotly_chart(
            charts.cost_breakdown_pie(simulator.cost_breakdown(v)), key="campaign.cost_pie", **stretch()
        )
    with c2:
        st.markdown("**📈 Expected value**")
        st.metric("Incremental revenue", fmt.money(v.incremental_revenue))
        st.metric("Cost per retained customer", fmt.money(p.cost_per_retained_customer, 2))
        st.metric("Net benefit", fmt.money(v.net_benefit))
    with st.expander("🧮 How these numbers are computed (check them by hand)"):
        st.markdown(
            f"- Cost = {fmt.number(v.customers)} × ({fmt.money(e.incentive_per_customer)} incentive + "
            f"{fmt.money(e.contact_cost_per_customer)} contact) = **{fmt.money(v.total_cost)}**\n"
            f"- Retained = ⌊{fmt.number(v.customers)} × {p.retention_lift_pct:g}%⌋ = "
            f"**{fmt.number(p.retained_customers)}** customers\n"
            f"- A retained customer is worth usual spend {fmt.money(p.usual_monthly_spend, 2)}/month × revenue "
            f"{e.revenue_rate:.2%} × {e.horizon_months:g} months = **{fmt.money(p.value_per_retained_customer, 2)}**\n"
            f"- Incremental revenue = {fmt.number(p.retained_customers)} × "
            f"{fmt.money(p.value_per_retained_customer, 2)} = **{fmt.money(v.incremental_revenue)}**\n"
            f"- Net benefit = revenue − cost = **{fmt.money(v.net_benefit)}**; ROI = net benefit / cost = "
            f"**{_roi_text(v.roi_pct)}**\n\n" + WHY_NOT_SEED_ROI
        )

    st.markdown("**🔬 Sensitivity analysis**")
    rates = simulator.sensitivity_rates(p.retention_lift_pct, even.retention_lift_pct)
    curve = simulator.sensitivity(v.customers, p.usual_monthly_spend, e, rates)
    st.plotly_chart(
        charts.sensitivity_curve(curve, p.retention_lift_pct, even.retention_lift_pct),
        key="campaign.sensitivity",
        **stretch(),
    )
    if even.reachable:
        st.info(_breakeven_text(even, v.customers))
    else:
        st.warning(_breakeven_text(even, v.customers))


def _breakeven_text(even: simulator.Breakeven, customers: int) -> str:
    """One breakeven figure: the retention lift (to 2 decimals) and the whole customers it means."""
    if even.free:
        return "💡 **Breakeven point:** the campaign costs nothing, so any retained customer is profit (ROI undefined)."
    if not even.reachable or even.retention_lift_pct is None:
        return (
            "⚠️ The campaign does not break even at any retention lift up to 100%: a retained customer is worth "
            "less than what the campaign spends per retained customer. Lower the incentive or the contact cost."
        )
    return (
        f"💡 **Breakeven point:** the campaign breaks even at a **{even.retention_lift_pct:.2f}% retention lift** "
        f"({fmt.number(even.customers_needed)} of {fmt.number(customers)} customers retained)."
    )


def _side_by_side(measured_value: simulator.CampaignValue, p: simulator.Projection) -> None:
    st.markdown("**⚖️ Measured vs projected, same formula, same units**")
    table = simulator.side_by_side(measured_value, p.value)
    shown = table.assign(
        measured=[_cell(v, k) for v, k in zip(table["measured"], table["kind"], strict=True)],
        projected=[_cell(v, k) for v, k in zip(table["projected"], table["kind"], strict=True)],
    )[["quantity", "measured", "projected"]]
    st.dataframe(
        shown,
        hide_index=True,
        key="campaign.side_by_side",
        column_config={
            "quantity": st.column_config.TextColumn(""),
            "measured": st.column_config.TextColumn("Measured: the last offer (treated customers)"),
            "projected": st.column_config.TextColumn("Projected: this audience"),
        },
        **stretch(),
    )
    st.caption(
        "Measured: the last offer as run (its treated customers, its measured spend lift per customer, the "
        "configured economics) if the lift lasts the horizon. Projected: this audience, the retention lift × its "
        "usual spend, with the parameters above. One formula: (incremental spend × revenue rate − cost) / cost."
    )


def _cell(value: object, kind: str) -> str:
    if kind == "pct":
        return _roi_text(fmt.as_float(value))
    if kind == "money":
        return fmt.money(value)
    if kind == "money2":
        return fmt.money(value, 2)
    if kind == "months":
        return fmt.number(value, 1)
    return fmt.number(value)


def _target_list(ctx: AppContext, filters: queries.AudienceFilters, audience_size: int) -> None:
    st.markdown("**📋 Target customer list**")
    st.caption(f"Top 10 by churn risk, then lifetime value (of {fmt.number(audience_size)} total)")
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


def _recommendations(p: simulator.Projection, even: simulator.Breakeven) -> None:
    if even.free:
        breakeven_text = "costs nothing (ROI undefined)"
    elif even.reachable and even.retention_lift_pct is not None:
        breakeven_text = f"breaks even at a {even.retention_lift_pct:.2f}% retention lift"
    else:
        breakeven_text = "does not break even at any retention lift"
    with st.expander("💡 Campaign recommendations"):
        st.markdown(
            f"**Expected outcome:** ROI {_roi_text(p.value.roi_pct)} at a {p.retention_lift_pct:g}% retention lift; "
            f"the campaign {breakeven_text}.\n\n"
            "**Targeting:** retention offers go to *active* customers in the High Risk band (a churn probability of "
            "50% or more) who still spend; lapsed customers need a win-back offer, not a retention one. "
            "Personalise by segment (travel credits for High-Value Travelers, everyday cash-back for "
            "Budget-Conscious).\n\n"
            "**Messaging:** the benefits of staying, an exclusive loyalty offer, a limited-time deadline.\n\n"
            "**Timing:** reach high-risk customers within 7 days, follow up after 2 weeks, watch spend for 30 days.\n\n"
            "**Success metrics:** measure the retention lift against a control group, like the A/B result above, and "
            "compare it with the lift assumed here."
        )

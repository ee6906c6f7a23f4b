"""Customer 360: find one customer and see everything about them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import charts
import exports
import formatting as fmt
import queries
from app_context import AppContext
from compat import form_submit, stretch

TITLE = "🔍 Customer 360"
SEARCH_MODES = {"Customer ID": "id", "Name": "name", "Email": "email"}
PLACEHOLDERS = {
    "Customer ID": "e.g. CUST00012345 or just 12345",
    "Name": "part of a name, e.g. smith",
    "Email": "part of an email, e.g. @gmail",
}
EMPTY_PROMPTS = {
    "id": "Enter a customer ID to search",
    "name": "Enter a name to search",
    "email": "Enter an email to search",
}
TRANSACTION_COLUMNS = {
    "transaction_date": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD HH:mm"),
    "transaction_id": st.column_config.TextColumn("Transaction"),
    "merchant_name": st.column_config.TextColumn("Merchant"),
    "category_name": st.column_config.TextColumn("Category"),
    "category_group": st.column_config.TextColumn("Group"),
    "transaction_amount": st.column_config.NumberColumn("Amount", format="dollar"),
    "channel": st.column_config.TextColumn("Channel"),
    "status": st.column_config.TextColumn("Status"),
}


def _init_state() -> None:
    defaults: dict[str, object] = {
        "customer.search_by": "Customer ID",
        "customer.query": "",
        "customer.results": [],
        "customer.message": None,
        "customer.selected_id": None,
        "customer.period": "All time",
        "customer.categories": [],
        "customer.statuses": [],
        "customer.channels": [],
    }
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = value


def _select_from_choice() -> None:
    st.session_state["customer.selected_id"] = st.session_state.get("customer.choice")


def render(ctx: AppContext) -> None:
    _init_state()
    st.subheader(TITLE)
    st.caption("Detailed customer profile and transaction analysis for account managers and service teams.")
    _search(ctx)
    customer_id = st.session_state["customer.selected_id"]
    if not customer_id:
        st.info("👆 Search for a customer (or pick one in the Segment Explorer list) to see their profile.")
        return
    profile = queries.customer_profile(ctx, customer_id)
    if profile is None:
        st.warning(f"Customer {customer_id} was not found in the customer profiles.")
        return
    as_of = queries.platform_summary(ctx).as_of
    st.divider()
    _profile_card(profile)
    _key_metrics(profile)
    transactions = queries.customer_transactions(ctx, customer_id)
    _trends(ctx, customer_id, transactions)
    _card_history(ctx, customer_id, as_of)
    _transactions(customer_id, transactions, as_of)


# ---- search --------------------------------------------------------------------------------------------


def _search(ctx: AppContext) -> None:
    st.markdown("##### 🔎 Find customer")
    with st.form("customer.search_form", border=True):
        c1, c2, c3 = st.columns([1.3, 3, 0.8])
        c1.radio("Search by", list(SEARCH_MODES), horizontal=True, key="customer.search_by")
        c2.text_input(
            "Search text (partial, case-insensitive)",
            key="customer.query",
            placeholder=PLACEHOLDERS[st.session_state["customer.search_by"]],
        )
        c3.markdown("&nbsp;")
        with c3:
            submitted = form_submit("Search", type="primary", key="customer.search", **stretch())
    if submitted:
        _run_search(ctx)
    message = st.session_state["customer.message"]
    if message:
        kind, text = message
        getattr(st, kind)(text)
    results = st.session_state["customer.results"]
    if len(results) > 1:
        labels = {r["customer_id"]: r["label"] for r in results}
        st.selectbox(
            f"Found {len(results)} customers"
            + (" (showing the first 20)" if len(results) >= queries.SEARCH_LIMIT else ""),
            list(labels),
            key="customer.choice",
            format_func=lambda cid: labels.get(cid, cid),
            on_change=_select_from_choice,
        )


def _run_search(ctx: AppContext) -> None:
    """A new search replaces the previous results and selection, even when it finds nothing."""
    mode = SEARCH_MODES[st.session_state["customer.search_by"]]
    text = str(st.session_state["customer.query"] or "").strip()
    st.session_state["customer.results"] = []
    st.session_state["customer.selected_id"] = None
    st.session_state.pop("customer.choice", None)
    if not text:
        st.session_state["customer.message"] = ("info", EMPTY_PROMPTS[mode])
        return
    with st.spinner("Searching..."):
        found = queries.search_customers(ctx, mode, text)
    if found.empty:
        st.session_state["customer.message"] = (
            "warning",
            f"No customers found for “{text}” ({mode} search).",
        )
        return
    results = [
        {
            "customer_id": str(r.customer_id),
            "label": f"{r.full_name} ({r.email}) · {r.customer_id} · {r.city}, {r.state}",
        }
        for r in found.itertuples()
    ]
    st.session_state["customer.results"] = results
    st.session_state["customer.selected_id"] = results[0]["customer_id"]
    st.session_state["customer.choice"] = results[0]["customer_id"]
    st.session_state["customer.message"] = None


# ---- profile -------------------------------------------------------------------------------------------


def _profile_card(p: pd.Series) -> None:
    st.markdown("##### 👤 Customer profile")
    c1, c2, c3 = st.columns([2, 1, 1.3])
    with c1:
        st.markdown(f"### {fmt.text(p.get('full_name'))}")
        st.markdown(
            f"**{fmt.text(p.get('customer_id'))}** · {fmt.text(p.get('email'))}  \n"
            f"📍 {fmt.text(p.get('city'))}, {fmt.text(p.get('state'))} ({fmt.text(p.get('state_name'))}"
            f", {fmt.text(p.get('region'))})  \n"
            f"🏷️ Segment: **{fmt.text(p.get('customer_segment'))}**  \n"
            f"🗓️ Customer since {fmt.day(p.get('account_open_date'))} ({fmt.number(p.get('tenure_months'))} months)"
            f" · {fmt.text(p.get('employment_status'))} · age {fmt.number(p.get('age'))}"
        )
        group = p.get("campaign_group")
        if not fmt.is_missing(group) and str(group) in ("treatment", "control"):
            st.caption(f"Retention campaign group: {group}")
    with c2:
        st.metric("Card type", fmt.text(p.get("card_type")))
        st.metric("Credit limit", fmt.money(p.get("credit_limit")))
    with c3:
        _churn_alert(p)


def churn_alert(category: object, score: object) -> tuple[str, str]:
    """(streamlit call, message) for the churn box; unscored customers are never shown as low risk."""
    value = fmt.as_float(score)
    label = str(category) if not fmt.is_missing(category) else "Not Scored"
    if label == "High Risk" and value is not None:
        return "error", f"⚠️ **High churn risk** · score {value:.1f} / 100"
    if label == "Medium Risk" and value is not None:
        return "warning", f"⚡ **Medium churn risk** · score {value:.1f} / 100"
    if label == "Low Risk" and value is not None:
        return "success", f"✅ **Low churn risk** · score {value:.1f} / 100"
    if label == "Lapsed":
        return "warning", (
            "💤 **Lapsed**: no approved transaction for 60 days or more. Already gone, so no churn score: "
            "a win-back candidate, not a retention one."
        )
    return "info", "ℹ️ **Churn risk not scored yet**: no model has scored this customer."


def _churn_alert(p: pd.Series) -> None:
    kind, message = churn_alert(p.get("churn_risk_category"), p.get("churn_risk_score"))
    getattr(st, kind)(message)
    version = p.get("churn_model_version")
    if not fmt.is_missing(version):
        st.caption(f"Model {version}, scored {fmt.day(p.get('churn_scored_at'))}")
    st.caption(f"Recency: {fmt.text(p.get('recency_status'))}")


def _key_metrics(p: pd.Series) -> None:
    st.markdown("##### 📊 Key metrics")
    m = st.columns(5)
    m[0].metric("Lifetime value", fmt.money(p.get("lifetime_value")))
    m[1].metric("Avg transaction", fmt.money(p.get("avg_transaction_value"), 2))
    change = fmt.as_float(p.get("spend_change_pct"))
    m[2].metric(
        "Spend, last 90 days",
        fmt.money(p.get("spend_last_90_days")),
        delta=f"{change:+.1f}% vs prior 90 days" if change is not None else None,
        delta_color="normal",
    )
    m[3].metric("Avg monthly spend", fmt.money(p.get("avg_monthly_spend")), help="Last 90 days / 3")
    m[4].metric("Days since last transaction", fmt.number(p.get("days_since_last_transaction")))
    n = st.columns(5)
    n[0].metric("Approved transactions", fmt.number(p.get("total_transactions")))
    declined = fmt.as_float(p.get("declined_rate"))
    n[1].metric("Declined rate", fmt.pct(declined))
    n[2].metric(
        "Credit utilization", fmt.pct(p.get("credit_utilization_pct")), help="Avg monthly spend / limit"
    )
    n[3].metric("Top category", fmt.text(p.get("top_spend_category")))
    n[4].metric("Travel share of spend", fmt.pct(p.get("travel_spend_pct")))


# ---- trends --------------------------------------------------------------------------------------------


def latest_complete_mom(monthly: pd.DataFrame) -> tuple[pd.Timestamp | None, float | None]:
    """The month-over-month change of the last complete month (None when unknown)."""
    if monthly.empty:
        return None, None
    complete = monthly[monthly["is_complete_month"].fillna(False).astype(bool)]
    if complete.empty:
        return None, None
    last = complete.sort_values("month").iloc[-1]
    return pd.Timestamp(last["month"]), fmt.as_float(last["mom_change_pct"])


def _trends(ctx: AppContext, customer_id: str, transactions: pd.DataFrame) -> None:
    st.markdown("##### 📈 Spending trends")
    monthly = queries.customer_monthly(ctx, customer_id)
    month, change = latest_complete_mom(monthly)
    c1, c2 = st.columns([2, 1])
    with c1:
        if month is not None:
            st.metric(
                f"Spend change, {month:%B %Y} vs prior month (MoM)",
                fmt.money(monthly.loc[monthly["month"] == month, "monthly_spend"].iloc[0]),
                delta=f"{change:+.1f}%" if change is not None else "no prior-month spend",
                delta_color="normal" if change is not None else "off",
            )
        st.plotly_chart(charts.monthly_trend(monthly), key="customer.monthly", **stretch())
        st.caption("Full history, one point per calendar month; hollow markers are incomplete months.")
    with c2:
        categories = queries.category_spend(transactions)
        st.plotly_chart(charts.category_breakdown(categories), key="customer.category_chart", **stretch())
        st.caption("Approved spend over the full history; blue leisure, green necessities, grey other.")


def _card_history(ctx: AppContext, customer_id: str, as_of: object) -> None:
    st.markdown("##### 💳 Card and credit-limit history")
    history = queries.customer_card_history(ctx, customer_id)
    if history.empty:
        st.info("No card history recorded for this customer.")
        return
    c1, c2 = st.columns([1.5, 1.5])
    with c1:
        st.plotly_chart(
            charts.credit_limit_history(
                history, pd.Timestamp(as_of) if as_of else None, "Credit limit over time"
            ),
            key="customer.card_chart",
            **stretch(),
        )
    with c2:
        view = history.assign(
            valid_from=[fmt.day(v) for v in history["valid_from"]],
            valid_to=[
                "current" if pd.isna(v) or pd.Timestamp(v).year >= 9999 else fmt.day(v)
                for v in history["valid_to"]
            ],
        )
        st.dataframe(
            view[["customer_version", "card_type", "credit_limit", "valid_from", "valid_to", "is_current"]],
            hide_index=True,
            column_config={
                "customer_version": st.column_config.NumberColumn("Version", format="%d"),
                "card_type": st.column_config.TextColumn("Card"),
                "credit_limit": st.column_config.NumberColumn("Limit", format="dollar"),
                "valid_from": st.column_config.TextColumn("From"),
                "valid_to": st.column_config.TextColumn("To"),
                "is_current": st.column_config.CheckboxColumn("Current"),
            },
            key="customer.card_table",
            **stretch(),
        )
        if len(history) == 1:
            st.caption("No card or limit change since the account opened.")


# ---- transactions --------------------------------------------------------------------------------------


def _transactions(customer_id: str, transactions: pd.DataFrame, as_of: object) -> None:
    st.markdown("##### 💳 Transaction history")
    if transactions.empty:
        st.warning("No transactions found for this customer.")
        return
    f1, f2, f3, f4 = st.columns(4)
    f1.selectbox("Time period", list(queries.PERIODS), key="customer.period")
    f2.multiselect(
        "Category",
        sorted(transactions["category_name"].dropna().unique()),
        key="customer.categories",
        placeholder="All categories",
    )
    f3.multiselect(
        "Status",
        sorted(transactions["status"].dropna().unique()),
        key="customer.statuses",
        placeholder="All statuses",
    )
    f4.multiselect(
        "Channel",
        sorted(transactions["channel"].dropna().unique()),
        key="customer.channels",
        placeholder="All channels",
    )
    filtered = queries.filter_transactions(
        transactions,
        as_of,  # type: ignore[arg-type]
        st.session_state["customer.period"],
        st.session_state["customer.categories"],
        st.session_state["customer.statuses"],
        st.session_state["customer.channels"],
    )
    summary = queries.summarize_transactions(filtered)
    m = st.columns(4)
    m[0].metric("Transactions", fmt.number(summary.transactions))
    m[1].metric("Approved spend", fmt.money(summary.approved_spend, 2))
    m[2].metric("Avg approved transaction", fmt.money(summary.avg_approved, 2))
    m[3].metric("Approval rate", fmt.pct(summary.approval_rate_pct))
    if filtered.empty:
        st.warning("No transactions match these filters.")
        return
    st.plotly_chart(charts.daily_spend(queries.daily_spend(filtered)), key="customer.daily", **stretch())
    st.caption(
        f"{fmt.number(len(filtered))} of {fmt.number(len(transactions))} transactions, newest first; "
        "periods end at the platform's as-of date."
    )
    st.dataframe(
        filtered,
        hide_index=True,
        height=400,
        column_config=TRANSACTION_COLUMNS,
        key="customer.transactions_table",
        **stretch(),
    )
    st.download_button(
        "📥 Download transaction history (CSV)",
        data=exports.csv_bytes(filtered),
        file_name=exports.export_name(f"customer_{customer_id}_transactions", with_time=False),
        mime="text/csv",
        key="customer.download",
    )

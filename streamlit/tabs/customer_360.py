"""Customer 360: find one customer and see everything about them."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import charts
import exports
import formatting as fmt
import queries
from app_context import AppContext
from c360 import names  # shipped beside the app in Snowflake (stdlib only)
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
        "customer.last_search": None,  # (mode, text) of the last search run
        "customer.search_page": 1,  # its page (kept while the tab is closed, unlike the page widget)
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


def _page_changed() -> None:
    """A new page of matches opens its first customer (the list always shows who is open)."""
    st.session_state["customer.search_page"] = int(st.session_state.get("customer.page") or 1)
    st.session_state.pop("customer.choice", None)
    st.session_state["customer.open_first"] = True


def clear_search() -> None:
    """Forget the search (a customer picked elsewhere replaces it)."""
    st.session_state["customer.last_search"] = None
    st.session_state["customer.message"] = None
    st.session_state["customer.search_page"] = 1
    for key in ("customer.choice", "customer.page", "customer.open_first"):
        st.session_state.pop(key, None)


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
    summary = queries.platform_summary(ctx)
    as_of = summary.as_of
    st.divider()
    _profile_card(profile)
    _key_metrics(profile, summary)
    transactions = queries.customer_transactions(ctx, customer_id)
    _trends(ctx, customer_id, transactions, profile, summary)
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
    _results(ctx)


def _run_search(ctx: AppContext) -> None:
    """A new search replaces the previous results and selection, even when it finds nothing."""
    mode = SEARCH_MODES[st.session_state["customer.search_by"]]
    text = str(st.session_state["customer.query"] or "").strip()
    clear_search()
    st.session_state["customer.selected_id"] = None
    if not text:
        st.session_state["customer.message"] = ("info", EMPTY_PROMPTS[mode])
        return
    with st.spinner("Searching..."):
        found = queries.search_customers(ctx, mode, text)
    if found.total == 0:
        st.session_state["customer.message"] = (
            "warning",
            f"No customers found for “{text}” ({mode} search).",
        )
        return
    st.session_state["customer.last_search"] = (mode, text)
    st.session_state["customer.open_first"] = True  # the best match (an exact id first) opens at once


def _results(ctx: AppContext) -> None:
    """Every match of the last search, a page at a time: the total, the page, and a list to pick from."""
    search = st.session_state["customer.last_search"]
    if not search:
        return
    mode, text = search
    found = queries.search_customers(ctx, mode, text, st.session_state["customer.search_page"])
    if found.matches.empty and found.page > 1:  # the data changed under the search: back to the first page
        st.session_state["customer.search_page"] = 1
        st.session_state.pop("customer.page", None)
        found = queries.search_customers(ctx, mode, text, 1)
    if found.matches.empty:
        return
    ids = [str(v) for v in found.matches["customer_id"]]
    if (
        st.session_state.pop("customer.open_first", False)
        or st.session_state["customer.selected_id"] not in ids
    ):
        st.session_state["customer.selected_id"] = ids[0]
    if st.session_state.get("customer.choice") not in ids:  # new page, or restored after the tab was closed
        st.session_state["customer.choice"] = st.session_state["customer.selected_id"]
    if "customer.page" not in st.session_state:
        st.session_state["customer.page"] = found.page
    if found.total == 1:
        return
    labels = {
        str(r.customer_id): f"{r.full_name} ({r.email}) · {r.customer_id} · {r.city}, {r.state}"
        for r in found.matches.itertuples()
    }
    c1, c2 = st.columns([4, 1])
    c1.selectbox(
        f"{fmt.number(found.total)} customers match “{text}” ({mode}); showing "
        f"{fmt.number(found.first_row)}–{fmt.number(found.last_row)}, best match first",
        ids,
        key="customer.choice",
        format_func=lambda cid: labels.get(cid, cid),
        on_change=_select_from_choice,
    )
    if found.pages > 1:
        c2.number_input(
            f"Page (of {fmt.number(found.pages)})",
            min_value=1,
            max_value=found.pages,
            step=1,
            key="customer.page",
            on_change=_page_changed,
        )


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
    label = str(category) if not fmt.is_missing(category) else names.NOT_SCORED
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


def history_window(profile: pd.Series, summary: queries.PlatformSummary) -> str:
    """What the spend history and the lifetime value cover: the platform's transaction history, which may start
    long after the account was opened."""
    start, end, months = summary.history_start, summary.as_of, summary.history_months
    if start is None or end is None:
        return "Spend history and lifetime value cover every transaction the platform holds."
    opened = profile.get("account_open_date")
    window = f"{fmt.day(start)} to {fmt.day(end)} ({fmt.number(months)} months)"
    if (opened_at := fmt.to_timestamp(opened)) is not None and opened_at.date() < start:
        return (
            f"Spend history and lifetime value cover the platform's transaction history, {window}, not the whole "
            f"relationship: the account was opened {fmt.day(opened)} "
            f"({fmt.number(profile.get('tenure_months'))} months ago)."
        )
    return (
        f"Spend history and lifetime value cover the whole relationship: the platform's history is {window}."
    )


def _key_metrics(p: pd.Series, summary: queries.PlatformSummary) -> None:
    st.markdown("##### 📊 Key metrics")
    window = history_window(p, summary)
    m = st.columns(5)
    m[0].metric(
        "Lifetime value",
        fmt.money(p.get("lifetime_value")),
        help=f"Approved spend since {fmt.day(summary.history_start)}. {window}",
    )
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
    st.caption(f"🗓️ {window}")


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


def _trends(
    ctx: AppContext,
    customer_id: str,
    transactions: pd.DataFrame,
    profile: pd.Series,
    summary: queries.PlatformSummary,
) -> None:
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
        st.caption(
            f"{_months_shown(monthly)}; hollow markers are incomplete months. {history_window(profile, summary)}"
        )
    with c2:
        categories = queries.category_spend(transactions)
        st.plotly_chart(charts.category_breakdown(categories), key="customer.category_chart", **stretch())
        st.caption(
            f"Approved spend since {fmt.day(summary.history_start)}; blue leisure, green necessities, grey other."
        )


def _months_shown(monthly: pd.DataFrame) -> str:
    if monthly.empty:
        return "No months with activity"
    first, last = pd.Timestamp(monthly["month"].min()), pd.Timestamp(monthly["month"].max())
    return f"One point per calendar month, {first:%b %Y} to {last:%b %Y} ({len(monthly)} months)"


def _card_history(ctx: AppContext, customer_id: str, as_of: date | None) -> None:
    st.markdown("##### 💳 Card and credit-limit history")
    history = queries.customer_card_history(ctx, customer_id)
    if history.empty:
        st.info("No card history recorded for this customer.")
        return
    c1, c2 = st.columns([1.5, 1.5])
    with c1:
        st.plotly_chart(
            charts.credit_limit_history(history, fmt.to_timestamp(as_of), "Credit limit over time"),
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


def _transactions(customer_id: str, transactions: pd.DataFrame, as_of: date | None) -> None:
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
        as_of,
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

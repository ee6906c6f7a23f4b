"""Customer 360 in AppTest: search by id (any part of it), partial name and email with every match a page at a
time, bad ids, the history window, filters, export."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import queries
from navigation import REQUESTED_TAB_KEY
from tests.app.conftest import OPEN_TAB_KEY, tab_metrics, tab_title, texts

pytestmark = pytest.mark.integration


def _search(at, mode: str, text: str):  # type: ignore[no-untyped-def]
    at.radio(key="customer.search_by").set_value(mode)
    at.text_input(key="customer.query").set_value(text)
    at.button(key="customer.search").click().run()
    assert not at.exception
    return at.tabs[1]


def shown_name(row: pd.Series) -> str:
    """The name the app's personas see (both read names partially: c360/masking.py): first name + initial."""
    return f"{row['first_name']} {row['last_name'][0]}."


@pytest.fixture
def busy_customer(reference):  # type: ignore[no-untyped-def]
    """A customer with many transactions (both statuses), with its profile row."""
    return reference(
        "select p.* from gold.customer_360_profile p where declined_transactions > 0 "
        "order by total_transactions desc, customer_id limit 1"
    ).iloc[0]


def test_nothing_selected_prompts(make_app) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="Customer 360")
    at.run()
    assert any("Search for a customer" in i for i in texts(at.tabs[1], "info"))


def test_search_by_id_shows_the_profile(make_app, busy_customer) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="Customer 360")
    at.run()
    tab = _search(at, "Customer ID", busy_customer["customer_id"].lower())  # case-insensitive
    assert any(shown_name(busy_customer) in m for m in texts(tab, "markdown"))
    assert not any(busy_customer["full_name"] in m for m in texts(tab, "markdown"))  # never the full name
    assert not any(busy_customer["email"] in m for m in texts(tab, "markdown"))  # nor the e-mail address
    metrics = tab_metrics(tab)
    assert metrics["Lifetime value"] == f"${float(busy_customer['lifetime_value']):,.0f}"
    assert metrics["Card type"] == busy_customer["card_type"]
    assert metrics["Days since last transaction"] == f"{int(busy_customer['days_since_last_transaction']):,}"
    digits = str(int(busy_customer["customer_id"][4:]))
    tab = _search(at, "Customer ID", digits)  # just the number
    assert any(shown_name(busy_customer) in m for m in texts(tab, "markdown"))


def test_partial_name_and_email_search(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    """The personas see names partially (first name + initial) and e-mails masked (c360/masking.py), so a
    search matches what they see: first names, never a last name or an address."""
    first = reference(
        "select first_name, count(*) as n from gold.customer_360_profile group by 1 having count(*) between 2 and 20 "
        "order by n desc, first_name limit 1"
    ).iloc[0]
    at = make_app(tab="Customer 360")
    at.run()
    fragment = first["first_name"][1:]
    tab = _search(at, "Name", fragment.upper())  # partial and upper-case
    expected = reference(
        "select count(*) as n from gold.customer_360_profile "
        "where lower(first_name || ' ' || left(last_name, 1) || '.') like ?",
        [f"%{fragment.lower()}%"],
    )["n"].iloc[0]
    choice = at.selectbox(key="customer.choice")
    assert len(choice.options) == min(int(expected), queries.SEARCH_PAGE_SIZE)
    assert choice.label.startswith(f"{int(expected):,} customers match")
    assert all(fragment.lower() in o.lower() for o in choice.options)
    second = choice.options[1]
    # pick the second match: its profile replaces the first one
    at.selectbox(key="customer.choice").select_index(1).run()
    assert any(second.split(" (")[0] in m for m in texts(at.tabs[1], "markdown"))

    email = reference("select email from gold.customer_360_profile order by customer_id limit 1")[
        "email"
    ].iloc[0]
    local, domain = email.split("@")
    tab = _search(at, "Email", local.upper())  # the address itself is masked: it finds no one
    assert any("No customers found" in w for w in texts(tab, "warning"))
    tab = _search(at, "Email", f"@{domain}")  # what the persona sees: first letter and domain
    shown = texts(tab, "markdown") + [
        o for box in at.selectbox if box.key == "customer.choice" for o in box.options
    ]
    assert any(f"***@{domain}" in t for t in shown) and not any(email in t for t in shown)


def test_digits_list_every_id_containing_them_exact_first(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    expected = reference(
        "select customer_id from gold.customer_360_profile where customer_id like '%42%' order by customer_id"
    )["customer_id"].tolist()
    assert len(expected) > 2 and "CUST00000042" in expected
    at = make_app(tab="Customer 360")
    at.run()
    _search(at, "Customer ID", "42")
    assert at.session_state["customer.selected_id"] == "CUST00000042"  # the exact id opens at once
    ids = [o.split(" · ")[1] for o in at.selectbox(key="customer.choice").options]
    assert ids[0] == "CUST00000042"
    assert sorted(ids) == expected  # and every other id with 42 anywhere is listed
    assert ids[1:] == sorted(ids[1:], key=lambda i: (not i.endswith("42"), i))  # ending in 42 next
    _search(at, "Customer ID", "cust0000004")  # part of the id, lower case
    listed = [o.split(" · ")[1] for o in at.selectbox(key="customer.choice").options]
    assert listed == [f"CUST0000004{d}" for d in range(10)]


def test_every_name_match_is_reachable_page_by_page(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    expected = reference(
        "select customer_id from gold.customer_360_profile "
        "where lower(first_name || ' ' || left(last_name, 1) || '.') like '%a%' order by customer_id"
    )["customer_id"].tolist()
    assert len(expected) > 2 * queries.SEARCH_PAGE_SIZE
    at = make_app(tab="Customer 360")
    at.run()
    _search(at, "Name", "A")
    pages = -(-len(expected) // queries.SEARCH_PAGE_SIZE)
    seen: list[str] = []
    for page in range(1, pages + 1):
        if page > 1:
            at.number_input(key="customer.page").set_value(page).run()
            assert not at.exception
        choice = at.selectbox(key="customer.choice")
        first = (page - 1) * queries.SEARCH_PAGE_SIZE + 1
        assert choice.label.startswith(f"{len(expected):,} customers match “A” (name); showing {first:,}–")
        assert at.number_input(key="customer.page").label == f"Page (of {pages})"
        seen += [o.split(" · ")[1] for o in choice.options]
        assert at.session_state["customer.selected_id"] == seen[first - 1]  # the page's first match is open
    assert sorted(seen) == expected and len(seen) == len(set(seen))


@pytest.mark.parametrize("bad", ["CUST99999999", "nobody-at-all", "'; drop table x --", "%_%"])
def test_unknown_customer_clears_the_previous_profile(make_app, busy_customer, bad) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="Customer 360")
    at.run()
    _search(at, "Customer ID", busy_customer["customer_id"])
    tab = _search(at, "Name" if not bad.startswith("CUST") else "Customer ID", bad)
    assert any("No customers found" in w for w in texts(tab, "warning"))
    assert not any(busy_customer["full_name"] in m for m in texts(tab, "markdown"))
    assert "Lifetime value" not in tab_metrics(tab)


def test_empty_search_prompts(make_app) -> None:  # type: ignore[no-untyped-def]
    at = make_app(tab="Customer 360")
    at.run()
    tab = _search(at, "Email", "   ")
    assert "Enter an email to search" in texts(tab, "info")


def test_transaction_filters_and_export(make_app, reference, busy_customer, downloads) -> None:  # type: ignore[no-untyped-def]
    cid = busy_customer["customer_id"]
    at = make_app(tab="Customer 360")
    at.run()
    tab = _search(at, "Customer ID", cid)
    everything = reference("select count(*) as n from gold.fct_transactions where customer_id = ?", [cid])[
        "n"
    ].iloc[0]
    assert tab_metrics(tab)["Transactions"] == f"{int(everything):,}"

    top = reference(
        "select c.category_name, count(*) as n from gold.fct_transactions t join gold.dim_merchant_category c "
        "on t.merchant_category_key = c.category_key where t.customer_id = ? group by 1 order by n desc limit 1",
        [cid],
    ).iloc[0]["category_name"]
    expected = reference(
        """
        select count(*) as n, sum(case when t.status = 'approved' then 1 else 0 end) as ok
        from gold.fct_transactions t join gold.dim_merchant_category c on t.merchant_category_key = c.category_key
        where t.customer_id = ? and c.category_name = ?
          and t.transaction_date >= (select max(as_of_date) from gold.customer_360_profile) - interval 90 day
        """,
        [cid, top],
    ).iloc[0]
    at.selectbox(key="customer.period").set_value("Last 90 days")
    at.multiselect(key="customer.categories").set_value([top])
    at.run()
    metrics = tab_metrics(at.tabs[1])
    assert metrics["Transactions"] == f"{int(expected['n']):,}"
    assert metrics["Approval rate"] == f"{100.0 * int(expected['ok']) / int(expected['n']):,.1f}%"

    at.selectbox(key="customer.period").set_value("All time")
    at.multiselect(key="customer.categories").set_value([])
    at.multiselect(key="customer.statuses").set_value(["declined"])
    at.run()
    data, name = downloads.of(at.download_button(key="customer.download"))
    assert name.startswith(f"customer_{cid}_transactions_")
    exported = pd.read_csv(io.BytesIO(data))
    stamps = reference(
        "select strftime(transaction_date, '%Y-%m-%d %H:%M:%S') as at from gold.fct_transactions "
        "where customer_id = ? and status = 'declined' order by transaction_date desc, transaction_id desc",
        [cid],
    )["at"].tolist()
    assert exported["transaction_date"].tolist() == stamps  # the time of day, as the table shows it
    assert set(exported["status"]) == {"declined"}
    assert len(exported) == int(busy_customer["declined_transactions"])
    assert tab_metrics(at.tabs[1])["Transactions"] == f"{len(exported):,}"


def test_history_window_is_stated(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    veteran = reference(
        "select customer_id, account_open_date, tenure_months from gold.customer_360_profile "
        "where account_open_date < (select min(first_transaction_date) from gold.customer_360_profile) "
        "order by account_open_date, customer_id limit 1"
    ).iloc[0]
    start = reference("select min(first_transaction_date) as d from gold.customer_360_profile")["d"].iloc[0]
    at = make_app(tab="Customer 360")
    at.run()
    tab = _search(at, "Customer ID", veteran["customer_id"])
    window = (
        f"cover the platform's transaction history, {pd.Timestamp(start):%Y-%m-%d} to 2026-10-15 (18 months), "
        f"not the whole relationship: the account was opened {pd.Timestamp(veteran['account_open_date']):%Y-%m-%d}"
    )
    assert any(window in c for c in texts(tab, "caption")), texts(tab, "caption")
    lifetime = next(m for m in tab.metric if m.label == "Lifetime value")
    assert f"Approved spend since {pd.Timestamp(start):%Y-%m-%d}" in lifetime.help


def test_card_history_and_monthly_trend(make_app, reference, busy_customer) -> None:  # type: ignore[no-untyped-def]
    cid = busy_customer["customer_id"]
    at = make_app(tab="Customer 360")
    at.run()
    tab = _search(at, "Customer ID", cid)
    versions = reference("select count(*) as n from gold.dim_customer where customer_id = ?", [cid])[
        "n"
    ].iloc[0]
    history = next(d.value for d in tab.dataframe if "customer_version" in d.value.columns)
    assert len(history) == int(versions)
    months = reference("select count(*) as n from gold.metric_mom_spend_change where customer_id = ?", [cid])[
        "n"
    ].iloc[0]
    assert int(months) >= 12
    assert any("MoM" in label for label in tab_metrics(tab))


def test_pick_from_segment_list_opens_customer(make_app, busy_customer) -> None:  # type: ignore[no-untyped-def]
    at = make_app()  # on the Segment Explorer, which stores the picked row and requests this tab
    at.session_state["customer.selected_id"] = busy_customer["customer_id"]
    at.session_state[REQUESTED_TAB_KEY] = tab_title("Customer 360")
    at.run()
    assert at.session_state[OPEN_TAB_KEY] == tab_title("Customer 360")
    assert any(shown_name(busy_customer) in m for m in texts(at.tabs[1], "markdown"))
    assert not at.tabs[0].children  # the explorer is closed now and did not run


def test_only_the_open_tab_runs_and_links_open_a_tab(make_app) -> None:  # type: ignore[no-untyped-def]
    at = make_app()
    at.run()
    assert at.tabs[0].children and not any(tab.children for tab in at.tabs[1:])
    linked = make_app(tab=None)
    linked.query_params[OPEN_TAB_KEY] = tab_title("Customer 360")  # ?tab=🔍 Customer 360
    linked.run()
    assert not linked.exception
    assert any("Search for a customer" in i for i in texts(linked.tabs[1], "info"))
    assert not linked.tabs[0].children


def test_upgrade_history_and_lapsed_status(make_app, reference) -> None:  # type: ignore[no-untyped-def]
    upgraded = reference(
        "select customer_id, premium_upgrade_date from gold.customer_360_profile "
        "where premium_upgrade_date is not null order by customer_id limit 1"
    ).iloc[0]
    at = make_app(tab="Customer 360")
    at.run()
    tab = _search(at, "Customer ID", upgraded["customer_id"])
    history = next(d.value for d in tab.dataframe if "customer_version" in d.value.columns)
    assert len(history) >= 2 and list(history["card_type"])[-1] == "Premium"
    assert "Standard" in set(history["card_type"]), "the card history shows the version before the upgrade"
    lapsed = reference(
        "select customer_id from gold.customer_360_profile where customer_status = 'Lapsed' "
        "order by lifetime_value desc, customer_id limit 1"
    ).iloc[0]
    tab = _search(at, "Customer ID", lapsed["customer_id"])
    assert any("Lapsed" in w for w in texts(tab, "warning"))
    assert not any("not scored yet" in i for i in texts(tab, "info"))

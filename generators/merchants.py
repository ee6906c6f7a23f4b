"""Merchant categories (with their group) and realistic merchant names per category.

The category list is one definition: the dbt seed `merchant_categories.csv` must match it (tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Category:
    name: str
    group: str  # Leisure | Necessities | Other
    is_travel: bool
    is_discretionary: bool
    amount_factor: float  # ticket size relative to the segment's base amount
    merchants: tuple[str, ...]


CATEGORIES: Final[tuple[Category, ...]] = (
    Category(
        "Airlines",
        "Leisure",
        True,
        True,
        4.0,
        (
            "Delta Air Lines",
            "United Airlines",
            "American Airlines",
            "Southwest Airlines",
            "JetBlue Airways",
            "Alaska Airlines",
        ),
    ),
    Category(
        "Hotels",
        "Leisure",
        True,
        True,
        3.0,
        ("Marriott", "Hilton", "Hyatt", "Holiday Inn", "Four Seasons", "Airbnb"),
    ),
    Category(
        "Travel",
        "Leisure",
        True,
        True,
        2.5,
        ("Expedia", "Booking.com", "Kayak", "Priceline", "Amtrak", "Royal Caribbean"),
    ),
    Category(
        "Car Rental",
        "Leisure",
        True,
        True,
        2.0,
        ("Hertz", "Enterprise Rent-A-Car", "Avis", "Budget Car Rental", "National Car Rental", "Sixt"),
    ),
    Category(
        "Dining",
        "Leisure",
        False,
        True,
        0.6,
        (
            "Olive Garden",
            "Chipotle",
            "Starbucks",
            "The Cheesecake Factory",
            "Panera Bread",
            "Blue Harbor Grill",
        ),
    ),
    Category(
        "Entertainment",
        "Leisure",
        False,
        True,
        0.8,
        ("AMC Theatres", "Ticketmaster", "Live Nation", "Dave & Buster's", "Topgolf", "Regal Cinemas"),
    ),
    Category(
        "Streaming Services",
        "Leisure",
        False,
        True,
        0.15,
        ("Netflix", "Spotify", "Hulu", "Disney+", "HBO Max", "YouTube Premium"),
    ),
    Category(
        "Grocery",
        "Necessities",
        False,
        False,
        0.9,
        ("Kroger", "Whole Foods Market", "Safeway", "Trader Joe's", "Publix", "Aldi"),
    ),
    Category(
        "Gas",
        "Necessities",
        False,
        False,
        0.5,
        ("Shell", "Chevron", "ExxonMobil", "BP", "Speedway", "Circle K"),
    ),
    Category(
        "Utilities",
        "Necessities",
        False,
        False,
        1.5,
        ("Duke Energy", "PG&E", "Con Edison", "Xcel Energy", "Dominion Energy", "City Water Services"),
    ),
    Category(
        "Healthcare",
        "Necessities",
        False,
        False,
        1.2,
        ("Kaiser Permanente", "Quest Diagnostics", "LabCorp", "Aspen Dental", "MinuteClinic", "Vision Works"),
    ),
    Category(
        "Pharmacy",
        "Necessities",
        False,
        False,
        0.4,
        ("CVS Pharmacy", "Walgreens", "Rite Aid", "Walmart Pharmacy", "Costco Pharmacy", "Express Scripts"),
    ),
    Category(
        "Telecom",
        "Necessities",
        False,
        False,
        0.9,
        ("Verizon", "AT&T", "T-Mobile", "Comcast Xfinity", "Spectrum", "Google Fi"),
    ),
    Category(
        "Insurance",
        "Necessities",
        False,
        False,
        1.8,
        ("State Farm", "GEICO", "Progressive", "Allstate", "Liberty Mutual", "Nationwide"),
    ),
    Category(
        "Public Transit", "Necessities", False, False, 0.2, ("MTA", "BART", "CTA", "WMATA", "Uber", "Lyft")
    ),
    Category(
        "Retail", "Other", False, True, 1.0, ("Target", "Walmart", "Macy's", "Nordstrom", "Costco", "TJ Maxx")
    ),
    Category(
        "Online Marketplace",
        "Other",
        False,
        True,
        0.7,
        ("Amazon", "eBay", "Etsy", "Wayfair", "Chewy", "Temu"),
    ),
    Category(
        "Electronics",
        "Other",
        False,
        True,
        2.5,
        ("Best Buy", "Apple Store", "Micro Center", "B&H Photo", "GameStop", "Newegg"),
    ),
    Category(
        "Home Improvement",
        "Other",
        False,
        False,
        1.5,
        ("The Home Depot", "Lowe's", "Ace Hardware", "Menards", "Sherwin-Williams", "IKEA"),
    ),
    Category(
        "Education",
        "Other",
        False,
        False,
        2.0,
        ("Coursera", "Udemy", "Barnes & Noble Education", "Chegg", "MasterClass", "State University Bursar"),
    ),
)

CATEGORY_BY_NAME: Final = {c.name: c for c in CATEGORIES}
UNCATEGORIZED: Final = "Uncategorized"

# Channel overrides: these categories are (almost) never paid in person / (mostly) paid in person.
ONLINE_CATEGORIES: Final = frozenset({"Streaming Services", "Online Marketplace", "Education"})
IN_STORE_CATEGORIES: Final = frozenset({"Gas", "Public Transit"})

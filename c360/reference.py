"""Reference data of the portfolio, shared by the generators, the runtime and dbt's seeds: one definition.

US states (50 + DC) with 2020-census population weights (millions), census regions and real cities; merchant
categories (with their group) and realistic merchant names per category; the columns the generator writes
as hidden truth. It imports nothing of the project: the generators import it (with c360.names), and the
runtime reads the reference data here, never from the generators. The dbt seeds `merchant_categories.csv`
and `us_states.csv` must match it (tests/unit/test_dbt_project.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# The generator's hidden truth on each customer row: never a model feature (c360/ml/features.py).
GENERATOR_TRUTH_COLUMNS: Final = ("customer_segment", "decline_type", "attrition_date", "attrition_type")


@dataclass(frozen=True)
class State:
    code: str
    name: str
    region: str
    population_m: float
    cities: tuple[str, ...]


STATES: Final[tuple[State, ...]] = (
    State("AL", "Alabama", "South", 5.0, ("Birmingham", "Montgomery", "Huntsville", "Mobile")),
    State("AK", "Alaska", "West", 0.7, ("Anchorage", "Fairbanks", "Juneau")),
    State("AZ", "Arizona", "West", 7.2, ("Phoenix", "Tucson", "Mesa", "Scottsdale")),
    State("AR", "Arkansas", "South", 3.0, ("Little Rock", "Fayetteville", "Fort Smith")),
    State(
        "CA",
        "California",
        "West",
        39.5,
        ("Los Angeles", "San Diego", "San Jose", "San Francisco", "Sacramento", "Fresno"),
    ),
    State("CO", "Colorado", "West", 5.8, ("Denver", "Colorado Springs", "Aurora", "Boulder")),
    State("CT", "Connecticut", "Northeast", 3.6, ("Hartford", "New Haven", "Stamford", "Bridgeport")),
    State("DE", "Delaware", "South", 1.0, ("Wilmington", "Dover", "Newark")),
    State("DC", "District of Columbia", "South", 0.7, ("Washington",)),
    State("FL", "Florida", "South", 21.5, ("Miami", "Orlando", "Tampa", "Jacksonville", "Tallahassee")),
    State("GA", "Georgia", "South", 10.7, ("Atlanta", "Savannah", "Augusta", "Athens")),
    State("HI", "Hawaii", "West", 1.5, ("Honolulu", "Hilo", "Kailua")),
    State("ID", "Idaho", "West", 1.8, ("Boise", "Meridian", "Idaho Falls")),
    State("IL", "Illinois", "Midwest", 12.8, ("Chicago", "Springfield", "Naperville", "Peoria")),
    State("IN", "Indiana", "Midwest", 6.8, ("Indianapolis", "Fort Wayne", "Bloomington", "South Bend")),
    State("IA", "Iowa", "Midwest", 3.2, ("Des Moines", "Cedar Rapids", "Iowa City")),
    State("KS", "Kansas", "Midwest", 2.9, ("Wichita", "Overland Park", "Topeka")),
    State("KY", "Kentucky", "South", 4.5, ("Louisville", "Lexington", "Bowling Green")),
    State("LA", "Louisiana", "South", 4.7, ("New Orleans", "Baton Rouge", "Shreveport", "Lafayette")),
    State("ME", "Maine", "Northeast", 1.4, ("Portland", "Bangor", "Augusta")),
    State("MD", "Maryland", "South", 6.2, ("Baltimore", "Annapolis", "Rockville", "Frederick")),
    State("MA", "Massachusetts", "Northeast", 7.0, ("Boston", "Worcester", "Cambridge", "Springfield")),
    State("MI", "Michigan", "Midwest", 10.1, ("Detroit", "Grand Rapids", "Ann Arbor", "Lansing")),
    State("MN", "Minnesota", "Midwest", 5.7, ("Minneapolis", "Saint Paul", "Rochester", "Duluth")),
    State("MS", "Mississippi", "South", 3.0, ("Jackson", "Gulfport", "Hattiesburg")),
    State("MO", "Missouri", "Midwest", 6.2, ("Kansas City", "St. Louis", "Springfield", "Columbia")),
    State("MT", "Montana", "West", 1.1, ("Billings", "Missoula", "Bozeman", "Helena")),
    State("NE", "Nebraska", "Midwest", 2.0, ("Omaha", "Lincoln", "Grand Island")),
    State("NV", "Nevada", "West", 3.1, ("Las Vegas", "Reno", "Henderson")),
    State("NH", "New Hampshire", "Northeast", 1.4, ("Manchester", "Nashua", "Concord")),
    State("NJ", "New Jersey", "Northeast", 9.3, ("Newark", "Jersey City", "Princeton", "Trenton")),
    State("NM", "New Mexico", "West", 2.1, ("Albuquerque", "Santa Fe", "Las Cruces")),
    State("NY", "New York", "Northeast", 20.2, ("New York", "Buffalo", "Rochester", "Albany", "Syracuse")),
    State("NC", "North Carolina", "South", 10.4, ("Charlotte", "Raleigh", "Durham", "Asheville")),
    State("ND", "North Dakota", "Midwest", 0.8, ("Fargo", "Bismarck", "Grand Forks")),
    State("OH", "Ohio", "Midwest", 11.8, ("Columbus", "Cleveland", "Cincinnati", "Toledo")),
    State("OK", "Oklahoma", "South", 4.0, ("Oklahoma City", "Tulsa", "Norman")),
    State("OR", "Oregon", "West", 4.2, ("Portland", "Eugene", "Salem", "Bend")),
    State("PA", "Pennsylvania", "Northeast", 13.0, ("Philadelphia", "Pittsburgh", "Harrisburg", "Allentown")),
    State("RI", "Rhode Island", "Northeast", 1.1, ("Providence", "Warwick", "Newport")),
    State("SC", "South Carolina", "South", 5.1, ("Charleston", "Columbia", "Greenville")),
    State("SD", "South Dakota", "Midwest", 0.9, ("Sioux Falls", "Rapid City", "Pierre")),
    State("TN", "Tennessee", "South", 6.9, ("Nashville", "Memphis", "Knoxville", "Chattanooga")),
    State(
        "TX", "Texas", "South", 29.1, ("Houston", "Dallas", "Austin", "San Antonio", "Fort Worth", "El Paso")
    ),
    State("UT", "Utah", "West", 3.3, ("Salt Lake City", "Provo", "Ogden", "St. George")),
    State("VT", "Vermont", "Northeast", 0.6, ("Burlington", "Montpelier", "Rutland")),
    State("VA", "Virginia", "South", 8.6, ("Virginia Beach", "Richmond", "Arlington", "Norfolk")),
    State("WA", "Washington", "West", 7.7, ("Seattle", "Spokane", "Tacoma", "Bellevue")),
    State("WV", "West Virginia", "South", 1.8, ("Charleston", "Morgantown", "Huntington")),
    State("WI", "Wisconsin", "Midwest", 5.9, ("Milwaukee", "Madison", "Green Bay")),
    State("WY", "Wyoming", "West", 0.6, ("Cheyenne", "Casper", "Laramie")),
)


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

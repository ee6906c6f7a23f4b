"""Suggested questions for the AI Assistant tab, by category (each one answerable by the semantic model)."""

from __future__ import annotations

from typing import Final

SUGGESTED_QUESTIONS: Final[dict[str, tuple[str, ...]]] = {
    "Churn Analysis": (
        "Which customers are at highest risk of churning?",
        "What is the average churn risk score by segment?",
        "How many customers are in each churn risk category?",
        "Which states have the highest average churn risk score?",
    ),
    "Customer Segmentation": (
        "How many customers are in each segment?",
        "Compare lifetime value across segments",
        "How many Premium cardholders are in each segment?",
        "What is the average monthly spend by segment?",
    ),
    "Spending Trends": (
        "What is the total spending in the last 90 days?",
        "Show monthly spending over time",
        "Which customers increased spending the most?",
        "What is the average transaction value by card type?",
    ),
    "Geographic Analysis": (
        "What is the average lifetime value by state?",
        "How many customers are in each state?",
        "Which states have the most Premium cardholders?",
        "What is the total spending by region?",
    ),
    "Campaign Targeting": (
        "Show High Risk customers with a lifetime value over $50,000",
        "Which Premium cardholders are at medium or high churn risk?",
        "Show Declining segment customers in California",
        "Which customers have not transacted in over 60 days?",
    ),
}


def all_questions() -> list[str]:
    return [q for questions in SUGGESTED_QUESTIONS.values() for q in questions]

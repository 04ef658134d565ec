"""Subscription plans. Money is integer cents, never float."""

PLANS = {
    "basic": 12_000,  # cents per annual cycle
    "pro": 36_000,
}


def price(plan: str) -> int:
    """The plan's price for one billing cycle, in cents."""
    return PLANS[plan]

"""What a customer owes when they change plan in the middle of a billing cycle."""

from app.domain.plans import price


def prorated_charge(old_plan: str, new_plan: str, days_left: int, days_in_cycle: int) -> int:
    """Charge, in cents, for the rest of the cycle on the new plan minus the old one.

    Rounds half a cent up. A downgrade gives a negative charge (a credit).
    """
    if not 0 <= days_left <= days_in_cycle or days_in_cycle <= 0:
        raise ValueError(f"days_left={days_left} is not within a cycle of {days_in_cycle} days")
    difference = price(new_plan) - price(old_plan)
    # floor((a + b/2) / b) rounds half up, for credits as well as charges
    return (2 * difference * days_left + days_in_cycle) // (2 * days_in_cycle)

"""The invoice line a customer sees."""

from app.domain.proration import prorated_charge


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100}.{abs(cents) % 100:02d}"


def upgrade_line(old_plan: str, new_plan: str, days_left: int, days_in_cycle: int) -> str:
    charge = prorated_charge(old_plan, new_plan, days_left, days_in_cycle)
    return f"Upgrade {old_plan} to {new_plan}, {days_left} of {days_in_cycle} days: {format_cents(charge)}"

"""The specification of a mid-cycle upgrade, written before the code."""

import pytest

from app.domain.proration import prorated_charge


def test_upgrade_halfway_charges_half_the_difference():
    # basic 120.00 -> pro 360.00, 182 of 365 days left
    assert prorated_charge("basic", "pro", 182, 365) == 11_967


def test_upgrade_on_the_last_day_costs_nothing():
    assert prorated_charge("basic", "pro", 0, 365) == 0


def test_downgrade_gives_a_credit():
    assert prorated_charge("pro", "basic", 365, 365) == -24_000


def test_days_outside_the_cycle_are_refused():
    with pytest.raises(ValueError):
        prorated_charge("basic", "pro", 400, 365)

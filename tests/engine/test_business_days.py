from datetime import date

from procedures.business_days import add_business_days, business_days_between, is_business_day


def test_weekends_and_national_holidays_are_not_business_days():
    assert not is_business_day(date(2026, 12, 25))  # Navidad
    assert not is_business_day(date(2026, 5, 25))  # Revolución de Mayo
    assert not is_business_day(date(2026, 2, 16))  # Carnaval (moves every year)
    assert not is_business_day(date(2026, 11, 21))  # Saturday
    assert not is_business_day(date(2026, 11, 23))  # Soberanía Nacional, moved to Monday
    assert is_business_day(date(2026, 11, 24))


def test_a_deadline_skips_holidays():
    # From Wednesday 23 Dec 2026: 24 (Thu), [25 holiday], [26-27 weekend], 28 (Mon), 29 (Tue).
    assert add_business_days(date(2026, 12, 23), 3) == date(2026, 12, 29)
    assert business_days_between(date(2026, 12, 23), date(2026, 12, 29)) == 3
    assert business_days_between(date(2026, 12, 29), date(2026, 12, 23)) == 0

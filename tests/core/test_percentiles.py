from core.percentiles import median, percentile, whole


def test_nearest_rank_percentile_is_a_value_somebody_had():
    waits = [70, 2, 30, 5, 10]
    assert percentile(waits, 0.9) == 70
    assert percentile(waits, 0.5) == 10
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile([], 0.9) is None


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert median([4, 1, 3, 2]) == 2.5
    assert median([]) is None
    assert whole(2.5) == 2 and whole(3.5) == 4 and whole(None) is None  # banker's rounding

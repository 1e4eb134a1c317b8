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


def test_histograms_give_the_figures_of_the_values_they_count():
    from core.percentiles import histogram_median, histogram_percentile

    # Values 1, 1, 2, 5, 5, 5, 9: counts per value from 0 to 9.
    counts = [0, 2, 1, 0, 0, 3, 0, 0, 0, 1]
    values = [1, 1, 2, 5, 5, 5, 9]
    assert histogram_median(counts) == median(values) == 5
    assert histogram_percentile(counts, 0.9) == percentile(values, 0.9) == 9  # rank ceil(6.3)=7
    assert histogram_percentile(counts, 0.5) == percentile(values, 0.5) == 5  # rank 4
    # An even count: the mean of the 2nd and 3rd of 1, 1, 2, 5 = 1.5.
    assert histogram_median([0, 2, 1, 0, 0, 1]) == 1.5
    assert histogram_median([0, 0]) is None and histogram_percentile([], 0.9) is None

"""`make bench`: fill PostgreSQL with cases and measure the busiest pages (see docs/performance.md)."""

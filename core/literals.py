"""Constants written into a query's text instead of being sent apart from it."""

from __future__ import annotations

from typing import Any

from django.db.models import Value


class Literal(Value):
    """A constant the SQL text carries itself (``status = 'NEW'``), not as a parameter.

    With server-side binding (config/settings.py, DATABASE_PREPARED_STATEMENTS) every value
    travels apart from the text, and PostgreSQL plans a prepared statement once for all
    values (a generic plan) only if that plan is as good as those it made for given values.
    A generic plan cannot use a partial index for ``status = $1`` (the index says
    ``WHERE status = 'NEW'``), so a query that needs one would be planned on every
    execution, as without prepared statements. Filters on the constants a partial index
    names use this instead of a plain value.
    """

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        sql, params = super().as_sql(compiler, connection)
        if connection.vendor != "postgresql" or not params:
            return sql, params
        # Quoted by psycopg; a % in it must not read as a placeholder of the query.
        return connection.ops.compose_sql(sql, params).replace("%", "%%"), []

"""EXPLAIN (ANALYZE, BUFFERS) of a query, and whether its plan reads the big tables through an index."""

from dataclasses import dataclass

from django.db import connection, transaction

BIG_TABLES = ("recommendations_recommendation", "recommendations_historicalrecommendation")


@dataclass(frozen=True)
class Plan:
    label: str
    sql: str
    text: str

    @property
    def seq_scans(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if "Seq Scan on" in line and _big(line)]

    @property
    def uses_index(self) -> bool:
        return "Index" in self.text and not self.seq_scans

    @property
    def execution_ms(self) -> float:
        for line in self.text.splitlines():
            if line.strip().startswith("Execution Time:"):
                return float(line.split(":")[1].split()[0])
        return float("nan")


def _big(line: str) -> bool:
    return any(f"Seq Scan on {table}" in line for table in BIG_TABLES)


def explain(label: str, sql: str) -> Plan:
    """Run the plan inside a transaction that is rolled back: EXPLAIN ANALYZE executes the statement."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        text = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return Plan(label, sql, text)

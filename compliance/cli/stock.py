"""`flask stock`: stock ledger checks."""

import sys

import click

from compliance.services import stock_months, stock_queries, transfer_queries

stock_cli = click.Group("stock", help="Stock ledger checks.")


@stock_cli.command("check")
def check_stock():
    """Compare every batch's running balance with the sum of its ledger entries."""
    mismatches = stock_queries.balance_mismatches()
    for m in mismatches:
        click.echo(f"MISMATCH {m.batch}: stored {m.batch.balance_ul} ul / "
                   f"{m.batch.sealed_containers} sealed, ledger {m.ledger_ul} ul / "
                   f"{m.ledger_containers} sealed"
                   + (f"; kept totals differ: {', '.join(m.totals_differ)}"
                      if m.totals_differ else ""))
    months = stock_months.mismatches()
    for month in months:
        click.echo(f"MISMATCH monthly sum of {month}")
    # D7: each batch's parts at locations plus what is in transit.
    transit = transfer_queries.transit_mismatches()
    for line in transit:
        click.echo(f"MISMATCH {line}")
    if mismatches or months or transit:
        sys.exit(1)
    click.echo("OK, every batch balance, kept total and monthly sum equals the sum of its "
               "ledger entries; every batch's parts at locations plus what is in transit "
               "equal its ledger apart from transit entries")

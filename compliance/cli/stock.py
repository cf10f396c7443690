"""`flask stock`: stock ledger checks."""

import sys

import click

from compliance.services import stock_check, stock_months, stock_queries, transfer_queries

stock_cli = click.Group("stock", help="Stock ledger checks.")


@stock_cli.command("check")
def check_stock():
    """Compare every batch's running balance, and its part at each location, with the sum of
    its ledger entries (there), and the parts with the batch's balance."""
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
    # D7: each part held at a location against its entries there, and each batch's parts
    # plus what is in transit.
    problems = stock_check.problems() + transfer_queries.transit_mismatches()
    for problem in problems:
        click.echo(f"MISMATCH {problem}")
    if mismatches or months or problems:
        sys.exit(1)
    click.echo("OK, every batch balance, kept total, monthly sum and part held at a location "
               "equals the sum of its ledger entries; every batch's parts plus what is in "
               "transit equal its ledger apart from transit entries")

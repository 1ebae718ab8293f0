"""``flask --app planner health-check PROGRAMME_ID``: print a programme's health findings, for operations and
the demo."""
import click

from planner.core import clock
from planner.extensions import db
from planner.health import bp
from planner.health.engine import run_health_check
from planner.health.rules import RULES


@bp.cli.command("health-check")
@click.argument("programme_id", type=int)
def health_check_command(programme_id: int):
    """Run every health rule against the programme and print the open findings, most severe first."""
    from planner.programmes.models import Programme

    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise click.ClickException(f"No programme {programme_id}.")
    report = run_health_check(programme, clock.today(), tolerate_errors=True)
    click.echo(f"Health check of {programme.name} on {clock.today().isoformat()}: "
               f"{len(report.open)} open, {len(report.acknowledged)} acknowledged, "
               f"{len(report.passed)} of {len(report.checked)} rules passed.")
    for finding in report.open:
        click.echo(f"[{finding.severity.value.upper()}] {finding.title}")
        click.echo(f"    {RULES[finding.rule].title}: {finding.advice}")
    for finding, ack in report.acknowledged:
        click.echo(f"[acknowledged {finding.severity.value}] {finding.title} (reason: {ack.reason})")
    for key in report.failed:
        click.echo(f"[could not run] {RULES[key].title}", err=True)
    if report.failed:
        raise SystemExit(1)

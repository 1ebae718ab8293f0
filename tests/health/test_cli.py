"""``flask health-check PROGRAMME_ID`` prints the open findings, most severe first, with their advice."""
from planner.health.findings import Severity


def test_the_command_prints_the_findings(app, factories, scripted):
    scripted.findings = [("a", Severity.LOW, 1), ("b", Severity.HIGH, 2)]
    programme = factories.programme()
    result = app.test_cli_runner().invoke(args=["health-check", str(programme.id)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "2 open, 0 acknowledged, 0 of 1 rules passed" in lines[0]
    assert lines[1] == "[HIGH] Scripted problem at b (2)" and lines[2].endswith("Fix the script.")
    assert lines[3] == "[LOW] Scripted problem at a (1)"


def test_an_unknown_programme_or_a_failing_rule(app, factories, scripted):
    assert app.test_cli_runner().invoke(args=["health-check", "999999"]).exit_code == 1
    scripted.error = RuntimeError("bug")
    result = app.test_cli_runner().invoke(args=["health-check", str(factories.programme().id)])
    assert result.exit_code == 1 and "[could not run] Scripted test rule" in result.output

"""Command line: the only module that imports click. It builds options and calls lint()."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from nimlint import __version__
from nimlint.capping import note as omitted_note
from nimlint.engine.model import KINDS
from nimlint.escaping import printable
from nimlint.findings import Severity, fails
from nimlint.report import FORMATS

LEVELS = tuple(str(level) for level in sorted(Severity, reverse=True))

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
TEXT_FORMATS = ("text", "concise")
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a job ended by Ctrl-C

CHECK_HELP = """Lint NIM service request bodies (YAML or JSON files, directories, or - for stdin).

\b
Examples:
  nimlint check deploy/nim/llama.yaml
  nimlint check deploy/                      # NIM bodies in .yaml/.yml/.json below
  nimlint check --format gcc specs/*.yaml    # FILE:LINE:COL: SEVERITY: MESSAGE [RULE]
  nimlint check --format sarif --output-file nimlint.sarif --format text deploy/
  cat spec.yaml | nimlint check --stdin-filename deploy/spec.yaml -
  nimlint check --select G,R --fail-on warning deploy/
  nimlint check --diff deploy/               # show the safe fixes, write nothing
  nimlint check --fix deploy/                # apply them, then report what remains
  nimlint check --format concise --statistics deploy/

\b
Exit codes: 0 no finding at or above --fail-on (default: error), or --exit-zero;
1 some finding is (with --diff: a fix would be applied); 2 usage error, bad
configuration or policy, or a path that cannot be read; 130 interrupted (Ctrl-C).
"""


def _split(values: tuple[str, ...]) -> tuple[str, ...] | None:
    items = tuple(i.strip() for v in values for i in v.split(",") if i.strip())
    return items or None


class _Group(click.Group):
    def list_commands(self, ctx):
        return ["check", "effective", "rules", "rule", "schema", "server"]


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="nimlint")
def cli() -> None:
    """nimlint: offline linter for NVIDIA Run:ai NIM service workload specs."""


@cli.command(help=CHECK_HELP)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Output format (default: text, or github inside GitHub Actions); repeat it for "
    "several reports, giving each but one an --output-file (one report per stream).",
)
@click.option(
    "--output-file",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Write the report of the matching --format (1st file, 1st format...) here; the "
    "format left without one writes to standard output.",
)
@click.option("--kind", type=click.Choice(KINDS), help="Document kind (default: detected).")
@click.option(
    "--fail-on",
    type=click.Choice(LEVELS),
    help="Lowest severity that fails the run (default: error).",
)
@click.option(
    "--select", multiple=True, help="Only these rule ids, prefixes or names (comma-separated)."
)
@click.option(
    "--ignore", multiple=True, help="Skip these rule ids, prefixes or names (comma-separated)."
)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    metavar="ID=LEVEL",
    help="Change the severity of a rule id, prefix or name, e.g. S008=error or S=warning.",
)
@click.option(
    "--rules",
    "extra_rules",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra rule file, Python rule module, or folder of them.",
)
@click.option(
    "--openapi",
    type=click.Path(path_type=Path),
    help="Validate against this OpenAPI document instead of the shipped Run:ai 2.24.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Configuration file (default: .nimlint.yaml or pyproject.toml found upward).",
)
@click.option(
    "--isolated",
    is_flag=True,
    help="Trust nothing in the checkout: read no configuration file and import no Python rule "
    "(plugins, --rules modules); YAML rule files given with --rules still load.",
)
@click.option(
    "--no-python-rules",
    is_flag=True,
    help="Import no Python rule module (from configuration, --rules or installed plugins); "
    "YAML rule files still load.",
)
@click.option("--stdin-filename", help="Name for standard input in findings and config lookup.")
@click.option(
    "--policy",
    "policies",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Run:ai NIM-service policy to check create requests against (repeatable: one per "
    "scope; replaces the configuration's policy).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Skip files and folders matching this gitignore-style pattern when walking folders "
    "(repeatable; adds to the configured excludes).",
)
@click.option(
    "--no-respect-gitignore",
    "respect_gitignore",
    flag_value=False,
    default=True,
    help="Walk files that git ignores (.gitignore, .git/info/exclude, core.excludesFile).",
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Filter the files named on the command line as walked ones are: skip those that an "
    "exclude or git ignores, and those that hold no NIM service body (for pre-commit).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    help="Worker processes (default: one per CPU when there are many files).",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in text output (auto: on a terminal, unless NO_COLOR is set and not empty).",
)
@click.option(
    "--exit-zero", is_flag=True, help="Exit 0 even when there are findings (usage errors stay 2)."
)
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no summary, no hints.")
@click.option(
    "--statistics",
    is_flag=True,
    help="Print one line per rule (count, id, name) instead of the text findings.",
)
@click.option(
    "--base",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="PATCH preview: lint each update body applied to this running service (GET "
    "response or create body).",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes in place, then report what remains.")
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff: also apply fixes that change what the service does.",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the fixes as a unified diff and write nothing (exit 1 if there is one).",
)
def check(
    paths,
    formats,
    outputs,
    kind,
    fail_on,
    select,
    ignore,
    severities,
    extra_rules,
    openapi,
    config_file,
    isolated,
    no_python_rules,
    stdin_filename,
    policies,
    exclude,
    respect_gitignore,
    force_exclude,
    jobs,
    color,
    base,
    fix,
    unsafe_fixes,
    diff,
    exit_zero,
    quiet,
    statistics,
) -> None:
    from nimlint.lint import Options, UsageError, lint_paths
    from nimlint.run import run_parallel

    if not paths:
        _usage("no paths given (try: nimlint check FILE_OR_DIR..., or - for stdin)")
    formats = formats or (("github",) if os.environ.get("GITHUB_ACTIONS") == "true" else ("text",))
    if len(outputs) > len(formats):
        _usage("more --output-file than --format options")
    _refuse_two_reports_on_one_stream(formats[len(outputs) :], fix and "-" in paths)
    if unsafe_fixes and not (fix or diff):
        _usage("--unsafe-fixes needs --fix or --diff")
    if isolated and config_file:
        _usage("--isolated reads no configuration file: drop --config or --isolated")
    overrides = {
        "select": _split(select),
        "ignore": _split(ignore),
        "severity": _parse_severities(severities),
        "fail_on": _level(fail_on),
        "openapi": openapi,
    }
    options = Options(
        kind=kind,
        config_file=config_file,
        overrides=overrides,
        extra_rules=tuple(extra_rules),
        stdin_filename=stdin_filename,
        base=base,
        fixes=bool({"json", "sarif"} & set(formats)),
        fix=("unsafe" if unsafe_fixes else "safe") if fix or diff else "",
        excerpts="text" in formats,
        policies=tuple(policies),
        isolated=isolated,
        python_rules=not (no_python_rules or isolated),
        exclude=tuple(exclude),
        respect_gitignore=respect_gitignore,
        force_exclude=force_exclude,
    )
    on_stdout = formats[len(outputs) :]
    if statistics and not (set(TEXT_FORMATS) & set(on_stdout) or "json" in formats):
        _note(
            "--statistics changes only the text and concise formats "
            "(the json format's summary always counts each rule)"
        )
    stdin = sys.stdin.buffer.read() if "-" in paths else b""
    try:
        if jobs == 1 or "-" in paths:
            result = lint_paths(paths, options, stdin=stdin)
        else:
            result = run_parallel(paths, options, jobs)
    except UsageError as exc:  # a SARIF report asked for still says why (a notification)
        failed = _failed(exc.args)
        if fix and not diff and "-" in paths:  # an editor replaces its buffer with stdout
            _write_fixes(failed, stdin, read_stdin=True)
        _write_reports(failed, formats, outputs, color=color, quiet=quiet, only="sarif")
        _usage(*exc.args)
    if "runai" in formats and not result.policed and _has_create_request(result):
        _usage(
            "--format runai reports compliance with a Run:ai policy, and no create request was "
            "checked against one: give --policy FILE, or `policy:` in the configuration (or "
            "choose another --format)"
        )
    for note in [*result.notes, omitted_note(result.cap.omitted)]:
        if note:
            _note(note)
    for error in result.errors:
        click.echo(f"nimlint: error: {printable(error)}", err=True)
    _refuse_overwriting_inputs(outputs, result.files)
    if diff:
        _show_diff(result)
    if fix and not diff:
        _write_fixes(result, stdin, "-" in paths)
    _write_reports(
        result,
        formats,
        outputs,
        color=color,
        quiet=quiet,
        statistics=statistics,
        to_stderr=fix and "-" in paths,
    )
    if result.errors:
        sys.exit(EXIT_USAGE)
    failed = any(fails(f, result.fail_on) for f in (*result.findings, *result.cap.omitted))
    sys.exit(EXIT_FINDINGS if failed and not exit_zero else EXIT_OK)


def _has_create_request(result) -> bool:
    """Was a create request linted (a policy, had there been one, would have checked it)?"""
    return any(kind.kind == "create" for kinds in result.kinds.values() for kind in kinds)


def _refuse_two_reports_on_one_stream(unpaired: tuple[str, ...], to_stderr: bool) -> None:
    """The formats without an --output-file all go to one stream; two reports back to back
    there are one that no reader can parse, so that is a usage error saying how to fix it."""
    if len(unpaired) > 1:
        stream = "standard error" if to_stderr else "standard output"
        _usage(
            f"--format {unpaired[0]} and --format {unpaired[1]} would both write to {stream}: "
            "give each --format but one an --output-file (the 1st --output-file is for the "
            "1st --format, and so on)"
        )


def _refuse_overwriting_inputs(outputs, files) -> None:
    """An --output-file that is one of the linted files (after resolving links) is an error."""
    if not outputs:  # no stat of every linted file when no report goes to a file
        return
    linted = {_identity(file) for file in files}
    for target in outputs:
        if _identity(target) in linted:
            _usage(f"--output-file {target} is a file being linted; refusing to overwrite it")


def _identity(path: str):
    """What makes two paths the same file: device and inode, or the resolved path if absent."""
    try:
        info = os.stat(path)
        return info.st_dev, info.st_ino
    except OSError:
        return os.path.realpath(path)


def _show_diff(result) -> None:
    """--diff: the fixes as a unified diff on stdout, a count on stderr; exit now."""
    from nimlint.report.diff_format import unified_diff

    terminal = sys.stdout.isatty()  # escaped for reading; else the bytes patch applies
    for fixed in result.fixed:
        before = (fixed.bom + fixed.original).encode("utf-8")
        sys.stdout.buffer.write(
            unified_diff(fixed.name, before, fixed.encoded(), terminal=terminal)
        )
    sys.stdout.flush()
    count = sum(f.fixed for f in result.fixed)
    click.echo(f"would fix {count} finding{'s' * (count != 1)}", err=True)
    sys.exit(EXIT_USAGE if result.errors else EXIT_FINDINGS if result.fixed else EXIT_OK)


def _write_fixes(result, stdin: bytes, read_stdin: bool) -> None:
    """--fix: write each fixed file; standard input's whole text, fixed or not (an editor
    replaces its buffer with it), goes to stdout."""
    from nimlint.files import write_atomic
    from nimlint.lint import STDIN

    fixed_stdin = None
    for fixed in result.fixed:
        if fixed.path == STDIN:
            fixed_stdin = fixed.encoded()
            continue
        try:  # all at once, inside the file's repository, and only over what was read
            read = (fixed.bom + fixed.original).encode("utf-8")
            write_atomic(fixed.path, fixed.encoded(), follow=True, expected=read)
        except OSError as exc:
            fixed.fixed = 0
            result.errors.append(f"cannot write {fixed.path}: {exc.strerror or exc}")
            click.echo(f"nimlint: error: {printable(result.errors[-1])}", err=True)
    if read_stdin:
        sys.stdout.buffer.write(stdin if fixed_stdin is None else fixed_stdin)
        sys.stdout.flush()
    count = sum(f.fixed for f in result.fixed)
    if count:
        click.echo(f"fixed {count} finding{'s' * (count != 1)}", err=True)


def _write_reports(
    result, formats, outputs, *, color, quiet, statistics=False, to_stderr=False, only=""
) -> None:
    """Write the --output-file reports first, so a write error never follows a clean summary;
    ``only``: the reports of that format alone."""
    from nimlint.files import write_report
    from nimlint.report import Report, render

    report = Report(
        result.findings,
        result.files,
        result.rules,
        __version__,
        result.policed,
        fail_on=result.fail_on,
        sources=result.sources,
        unlinted=len(result.errors),
        quiet=quiet,
        kinds=result.kinds,
        skipped=result.skipped,
        errors=result.errors,
        omitted=result.cap.omitted,
    )
    pairs = [(fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(formats)]
    for fmt, target in sorted(pairs, key=lambda pair: pair[1] is None):
        if only and fmt != only:
            continue
        use_color = target is None and fmt in TEXT_FORMATS and _want_color(color) and not to_stderr
        if statistics and target is None and fmt in TEXT_FORMATS:
            from nimlint.report.statistics import render_statistics

            text = render_statistics(report, color=use_color)
        else:
            text = render(report, fmt, color=use_color)
        if target is None:
            click.echo(text, nl=False, color=use_color, err=to_stderr)
            continue
        try:
            write_report(target, text.encode("utf-8"))
        except OSError as exc:
            _usage(f"cannot write {target}: {exc.strerror or exc}")


def _failed(errors):
    """The result of a run that stopped before linting, with these error lines."""
    from nimlint.lint import LintResult

    result = LintResult()
    result.errors = list(errors)
    return result


def _want_color(mode: str) -> bool:
    """--color; auto: on a terminal, unless NO_COLOR is set to a non-empty value (no-color.org)."""
    if mode != "auto":
        return mode == "always"
    return not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def _level(text):
    return Severity.parse(text) if text else None


def _parse_severities(values):
    parsed = {}
    for value in values:
        rule, sep, level = value.partition("=")
        if not sep:
            _usage(f"--severity {value!r}: expected ID=LEVEL")
        try:
            parsed[rule.strip()] = Severity.parse(level)
        except ValueError as exc:
            _usage(f"--severity {value!r}: {exc}")
    return parsed or None


def _note(message: str) -> None:
    click.echo(f"nimlint: note: {printable(message)}", err=True)


def _usage(*messages: str):
    for message in messages:
        for line in message.splitlines() or [""]:  # every line prefixed: none can pose as a command
            click.echo(f"nimlint: error: {printable(line)}", err=True)
    sys.exit(EXIT_USAGE)


@cli.command("effective")
@click.argument("spec", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--base",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The running service (GET response or create body) the update SPEC applies to.",
)
@click.option(
    "--policy",
    "policies",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Run:ai NIM-service policy whose defaults fill the request (repeatable).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True
)
def effective(spec, base, policies, fmt) -> None:
    """Print the service body SPEC would give: an update applied to --base, the defaults of
    --policy applied to a create request (or to the previewed update), as the cluster gets it."""
    from nimlint.effective.merge import Effective, in_body_order
    from nimlint.effective.preview import BaseError, apply_update, load_base, load_layer

    if base is None and not policies:
        _usage("nothing to apply: give --base (an update's service) and/or --policy")
    try:
        if base is not None:
            service = apply_update(load_base(base), load_layer(spec, "update"))
        else:
            service = Effective.of(load_layer(spec, "request"))
    except BaseError as exc:
        _usage(str(exc))
    if policies:
        from nimlint.lint import UsageError, merged_policy
        from nimlint.policy.apply import apply_defaults

        try:
            service = apply_defaults(merged_policy(policies), service)
        except UsageError as exc:
            _usage(str(exc))
    click.echo(_dump(in_body_order(service.data), fmt), nl=False)


def _dump(data, fmt: str) -> str:
    """YAML or JSON text of ``data``, non-ASCII escaped (no control characters reach a terminal)."""
    if fmt == "json":
        import json

        return json.dumps(data, indent=2) + "\n"
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=False, width=100)


@cli.command("rules")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--rules",
    "extra_rules",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Also list the rules of this file, module or folder.",
)
def list_rules(fmt, extra_rules) -> None:
    """List every rule: id, default severity, summary."""
    from nimlint.docs import rules_json, rules_table

    registry = _registry(extra_rules)
    click.echo(rules_json(registry) if fmt == "json" else rules_table(registry), nl=False)


@cli.command("rule")
@click.argument("rule_id", metavar="ID_OR_NAME")
@click.option("--rules", "extra_rules", multiple=True, type=click.Path(path_type=Path))
def show_rule(rule_id, extra_rules) -> None:
    """Print the documentation of a rule, by id (S008) or name (unknown-key)."""
    from nimlint.docs import rule_markdown

    registry = _registry(extra_rules)
    rule = registry.get(rule_id.upper()) or next(
        (r for r in registry.values() if r.name == rule_id.lower()), None
    )
    if rule is None:
        _usage(f"unknown rule {rule_id!r} (see: nimlint rules)")
    click.echo(rule_markdown(rule), nl=False)


@cli.command("schema")
@click.option("--kind", type=click.Choice(KINDS), default="create", show_default=True)
@click.option(
    "--openapi",
    type=click.Path(path_type=Path),
    help="Build it from this OpenAPI document instead of the shipped one.",
)
def schema(kind, openapi) -> None:
    """Print the JSON Schema of a document kind (for yaml-language-server and editors)."""
    import json

    from nimlint.schema.schemaset import OpenAPIError, from_openapi, shipped

    try:
        schemas = from_openapi(openapi) if openapi else shipped()
    except OpenAPIError as exc:
        _usage(str(exc))
    click.echo(json.dumps(schemas.schemas[kind], indent=2, ensure_ascii=False))


@cli.command("server")
@click.option(
    "--isolated",
    is_flag=True,
    help="Trust nothing in the checkout: read no configuration file, import no Python rule "
    "(as check --isolated).",
)
@click.option(
    "--no-python-rules",
    is_flag=True,
    help="Import no Python rule module: plugins, extra-rules .py files (as check does).",
)
def server(isolated, no_python_rules) -> None:
    """Run the language server over stdio (for editors; see docs/editors.md)."""
    from nimlint.server import main as serve  # pygls is imported by this command alone

    serve(isolated=isolated, python_rules=not no_python_rules)


def _registry(extra_rules):
    from nimlint.engine.declarative import RuleFileError
    from nimlint.engine.registry import build_registry

    try:
        return build_registry(tuple(extra_rules))
    except RuleFileError as exc:
        _usage(str(exc))


def main() -> None:
    """Console entry point: never a traceback; exit 2 on anything unexpected."""
    try:
        sys.exit(cli.main(prog_name="nimlint", standalone_mode=False))
    except SystemExit:
        raise
    except (KeyboardInterrupt, click.Abort):
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:  # click quotes the values it shows with repr()
        exc.show()
        sys.exit(exc.exit_code)
    except OSError as exc:  # the report could not be written (click ends a broken pipe itself)
        click.echo(f"nimlint: error: cannot write the report: {printable(str(exc))}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - last line of defence for users
        text = printable(f"{type(exc).__name__}: {exc}")
        click.echo(f"nimlint: internal error: {text} (please report this)", err=True)
        sys.exit(EXIT_USAGE)

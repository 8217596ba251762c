"""The ``resilience`` command line: a thin typer shell over the library.

Each command parses its options, calls library functions, prints readable tables and
writes the frames under the reports folder. Errors a user causes become one line on
stderr and exit code 2.

The package: this module makes :data:`app` and adds the commands of each group module
(:mod:`~resilience.cli.analyse`, :mod:`~resilience.cli.osm`, :mod:`~resilience.cli.scan`,
:mod:`~resilience.cli.scenarios`); :mod:`~resilience.cli._options` defines every option
once and :mod:`~resilience.cli._common` holds what the commands share. Only this module
imports the group modules, so they never import each other.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

# typer >= 0.16 vendors click; the usage errors it raises are its own copies of click's.
try:
    from typer._click.core import Context
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer on plain click
    from click import Context  # type: ignore[assignment]
    from click.exceptions import NoArgsIsHelpError, UsageError  # type: ignore[assignment]

from resilience.cli import analyse, flow, interdict, osm, redundancy, scan, scenarios
from resilience.cli._common import dated, join_edge_args, remember_argv
from resilience.errors import BadInputError, ResilienceError

__all__ = ["app", "main"]


class _OneLineGroup(TyperGroup):
    """The command group; usage errors (missing or bad options) become one line, exit 2."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        with _usage_in_one_line():
            remember_argv(args)
            try:
                args = join_edge_args(args)
                self._refuse_repeats(args)
            except ResilienceError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from None
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Context) -> Any:
        with _usage_in_one_line():
            return super().invoke(ctx)

    def _refuse_repeats(self, args: list[str]) -> None:
        """Refuse a single-value option given twice (click silently keeps the last one)."""
        name = next((a for a in args if not a.startswith("-")), None)
        command = self.commands.get(name) if name is not None else None
        if name is None or command is None:
            return
        canonical, takes_value, repeatable = _option_kinds(command)
        seen: dict[str, str] = {}
        rest = iter(args[args.index(name) + 1 :])
        for arg in rest:
            if arg == "--":
                break
            opt = arg.split("=", 1)[0] if arg.startswith("--") else arg
            inline = "=" in arg
            if opt in repeatable and not inline:
                next(rest, None)  # its value, which may itself start with a dash
            if opt not in canonical:
                continue
            given = f"{arg} {next(rest, '')}".strip() if opt in takes_value and not inline else arg
            if canonical[opt] in seen:
                msg = (
                    f"{canonical[opt]} is given twice ({seen[canonical[opt]]!r} and "
                    f"{given!r}); give it once"
                )
                raise BadInputError(msg)
            seen[canonical[opt]] = given


def _option_kinds(command: Any) -> tuple[dict[str, str], set[str], set[str]]:
    """Each single-value option's names → its long name; which take a value; repeatables."""
    canonical: dict[str, str] = {}
    takes_value: set[str] = set()
    repeatable: set[str] = set()
    for param in command.params:
        # typer's options are not click.Option subclasses: ask by their traits.
        if param.param_type_name != "option" or getattr(param, "count", False):
            continue
        flag = getattr(param, "is_flag", False)
        if param.multiple:
            repeatable.update(() if flag else param.opts)
            continue
        for opt in (*param.opts, *param.secondary_opts):
            canonical[opt] = max(param.opts, key=len)
            if not flag:
                takes_value.add(opt)
    return canonical, takes_value, repeatable


@contextlib.contextmanager
def _usage_in_one_line() -> Iterator[None]:
    try:
        yield
    except NoArgsIsHelpError:
        raise
    except UsageError as exc:
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        typer.echo(f"error: {exc.format_message()}{where}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        # Ctrl-C while starting up or parsing options: the click shell would exit quietly.
        typer.echo("interrupted; no partial files were left", err=True)
        raise typer.Exit(130) from None
    except EOFError:
        # click reads an EOFError (e.g. from a truncated compressed file) as "Aborted!".
        typer.echo("error: unexpected end of a file (is it truncated?)", err=True)
        raise typer.Exit(2) from None


app = typer.Typer(
    name="resilience",
    help=(
        "Logistics network resilience: how a road + rail supply network holds up when "
        "places fall or routes are cut. Runs on the embedded Pokrovsk region by default.\n\n"
        "Example: resilience cut --node pokrovsk"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_OneLineGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from resilience.provenance import package_version  # noqa: PLC0415

        typer.echo(f"resilience {package_version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Logistics network resilience (see the commands below)."""


# The order ``resilience --help`` lists the commands in.
for _group in (analyse, osm, scan, scenarios, interdict, flow, redundancy):
    for _name, _command in _group.COMMANDS.items():
        # Every command that reads a graph analyses it on a date (--as-of, --pre-war);
        # timeline walks its own dates and each scenario names its own (``as_of``).
        _params = inspect.signature(_command).parameters
        _dated = "graph" in _params and not {"frontline", "scenario"} & set(_params)
        app.command(_name)(dated(_command) if _dated else _command)


def main() -> Any:
    """Entry point of the ``resilience`` script and of ``python -m resilience(.cli)``.

    Returns
    -------
    Any
        What the typer app returns (it exits the process on its own).
    """
    try:
        return app(prog_name="resilience")
    except KeyboardInterrupt:
        # Ctrl-C before a command's own handler is in place (start-up, option parsing):
        # one line, the shell's exit code for SIGINT, no traceback.
        typer.echo("interrupted; no partial files were left", err=True)
        raise SystemExit(130) from None

"""`restride protocol list`: the built-in protocol library, one line each."""

from __future__ import annotations

from rich.markup import escape

from restride.cli.app import out, protocol_app


@protocol_app.command("list")
def protocol_list() -> None:
    """The built-in protocols: what each is for, and when it returns the runner to running."""
    from restride.loading import builtin_protocol, builtin_protocol_names

    for name in builtin_protocol_names():
        protocol = builtin_protocol(name)
        back = protocol.return_to_run
        when = f"; running again in weeks {back.weeks[0]}-{back.weeks[1]}" if back else ""
        out.print(
            f"[bold]{name}[/] ({protocol.tissue}{when}): {escape(protocol.title)}",
            highlight=False,
        )

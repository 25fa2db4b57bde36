"""``civicflow token``: API tokens for machine clients (create, list, revoke)."""

from __future__ import annotations

from typing import Annotated

import typer

from civicflow.cli._common import fail, print_json, setup_django

__all__ = ["app"]

app = typer.Typer(
    help="API tokens for machine clients (stored hashed; the secret is shown once).", no_args_is_help=True
)


def _ready() -> None:
    setup_django()
    from django.db import DatabaseError

    from civicflow.api.models import ApiToken

    try:
        ApiToken.objects.exists()
    except DatabaseError as exc:
        fail(f"civicflow token: the database is unreachable or not migrated (civicflow manage migrate): {exc}")


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. 'registry worker'.")],
    scope: Annotated[
        list[str],
        typer.Option("--scope", help="read, start, admin, metrics or work:<topic> (work:* for all); repeatable."),
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Create a token and print it once: only its SHA-256 hash is stored."""
    _ready()
    from civicflow.api.tokens import InvalidScopeError, create_token

    scopes = [s for item in scope for s in item.replace(",", " ").split()]
    try:
        issued = create_token(name, scopes)
    except InvalidScopeError as exc:
        fail(f"civicflow token create: {exc}")
    if json_output:
        print_json(
            {"name": name, "prefix": issued.token.prefix, "scopes": issued.token.scopes, "token": issued.plaintext}
        )
        return
    typer.echo(issued.plaintext)
    typer.echo(
        f"token {name!r} (prefix {issued.token.prefix}, scopes {' '.join(issued.token.scopes)}): "
        "copy it now, it is not shown again",
        err=True,
    )


@app.command(name="list")
def list_tokens(json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """List tokens (prefix, name, scopes, created, last used, revoked); never their secrets."""
    _ready()
    from civicflow.api.models import ApiToken

    rows = [
        {
            "prefix": t.prefix,
            "name": t.name,
            "scopes": t.scopes,
            "created": t.created.isoformat(),
            "lastUsed": t.last_used.isoformat() if t.last_used else None,
            "revoked": t.revoked.isoformat() if t.revoked else None,
        }
        for t in ApiToken.objects.order_by("id")
    ]
    if json_output:
        print_json(rows)
        return
    for row in rows:
        state = f"revoked {row['revoked']}" if row["revoked"] else f"last used {row['lastUsed'] or 'never'}"
        typer.echo(f"{row['prefix']}  {row['name']}  [{' '.join(row['scopes'])}]  created {row['created']}  {state}")


@app.command()
def revoke(prefix: Annotated[str, typer.Argument(help="The token's prefix (or the whole token).")]) -> None:
    """Revoke a token: requests with it are refused from now on."""
    _ready()
    from civicflow.api.tokens import revoke_token

    token = revoke_token(prefix)
    if token is None:
        fail(f"civicflow token revoke: no token with prefix {prefix!r}")
    typer.echo(f"revoked {token.prefix} ({token.name})")

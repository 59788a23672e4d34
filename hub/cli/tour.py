"""`hub tour`: play the example traffic through the engine and the routes, offline (no broker).

For each message in examples/traffic.yaml: detect, validate, check the sender may
send it, route it, render and validate one output per receiver, and write the
outputs under --out. Bad messages are shown with the errors their sender would
get. (The RabbitMQ runtime replaces this with the live flow.)
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click
import yaml

from ..adapters import RenderContext
from ..composition import build_engine
from ..errors import HubError
from ..pipeline import Engine
from ..routing import Router, load_routes
from ..settings import Settings
from .documents import offline_id, read_input

EXTENSIONS = {"application/json": "json", "application/xml": "xml"}


@click.command()
@click.option("--traffic", type=click.Path(exists=True, dir_okay=False),
              help="Which example files to play, as which sender [default: HUB_EXAMPLES_DIR/traffic.yaml].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="out/tour", show_default=True,
              help="Where the rendered deliveries are written.")
@click.pass_obj
def tour(settings: Settings, traffic: str | None, out_dir: str) -> None:
    """Offline: validate, route and convert the sample traffic into every agency's format (no broker).

    \b
    Example:
      hub tour --out /tmp/hub-tour
    """
    traffic = traffic or str(settings.examples_dir / "traffic.yaml")
    engine = build_engine(settings)
    router = Router(load_routes(settings.routes))
    plan = yaml.safe_load(Path(traffic).read_text(encoding="utf-8"))
    base, out = Path(traffic).parent, Path(out_dir)
    per_receiver: Counter[str] = Counter()
    unexpected = 0
    played = [e for e in plan["messages"] if e.get("expect") != "duplicate"]  # duplicates need the live hub
    for entry in played:
        outcome = _play(engine, router, settings, base / entry["file"], entry["sender"], out, per_receiver)
        expected = entry.get("expect", "delivered")
        unexpected += outcome != expected
        flag = "" if outcome == expected else f"   <-- expected {expected}"
        click.echo(f"     {outcome}{flag}")
    click.echo("\nDeliveries per receiver:")
    for receiver, count in sorted(per_receiver.items()):
        click.echo(f"  {receiver:<20} {count}")
    click.echo(f"\n{len(played)} messages played, outputs in {out}/")
    sys.exit(1 if unexpected else 0)


def _play(engine: Engine, router: Router, settings: Settings, path: Path, sender: str, out: Path,
          per_receiver: Counter[str]) -> str:
    data = read_input(str(path), settings.max_message_bytes)
    click.echo(f"{path.name} from {sender}")
    try:
        inbound = engine.read(data)
    except HubError as exc:
        for p in exc.problems[:3]:
            click.echo(f"     negative receipt: {p.format(path.name)}")
        return "rejected"
    doc = inbound.document
    assert doc is not None, "read raises unless the message gave a document"
    if reason := router.authorise(sender, doc.kind):
        click.echo(f"     negative receipt: {reason} [SENDER_NOT_ALLOWED]")
        return "rejected"
    planned = router.plan(doc, sender)
    if not planned:
        click.echo("     negative receipt: no route matches [NO_ROUTE]")
        return "rejected"
    failed = 0
    for plan in planned:
        ctx = RenderContext(message_id=offline_id(data), sender_id=settings.party_id, receiver_id=plan.receiver)
        try:
            output = engine.render(plan.document, plan.format, ctx)
        except HubError as exc:
            failed += 1
            click.echo(f"     -> {plan.receiver:<18} {plan.format:<18} cannot be rendered: {exc.message} [{exc.code}]")
            continue
        target = out / plan.receiver / f"{path.stem}.{plan.format}.{EXTENSIONS.get(output.media_type, 'txt')}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(output.data)
        per_receiver[plan.receiver] += 1
        click.echo(f"     -> {plan.receiver:<18} {plan.format:<18} {len(output.data):>6} bytes  ({plan.route})")
    return "partly delivered" if failed else "delivered"

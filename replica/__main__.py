"""Serve the replica in the foreground: python -m replica --port 8765 --seed 0 --scale 1."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from replica.server import Replica, serve_until_stopped


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m replica",
        description="Serve a deterministic local replica of Chinese government portals.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=int, default=1, help="multiplies generated documents")
    parser.add_argument(
        "--registry", type=Path, default=None, help="source registry directory (default: packaged)"
    )
    return parser.parse_args(argv)


async def serve(
    host: str, port: int, seed: int, scale: int, registry_dir: Path | None = None
) -> None:
    """Serve until SIGTERM or SIGINT, then stop cleanly."""
    replica = Replica(seed=seed, scale=scale, registry_dir=registry_dir)
    await serve_until_stopped(replica, host, port)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.scale < 1:
        raise SystemExit("--scale must be at least 1")
    asyncio.run(serve(args.host, args.port, args.seed, args.scale, args.registry))


if __name__ == "__main__":
    main()

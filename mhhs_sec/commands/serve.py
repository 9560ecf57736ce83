"""``mhhs-sec serve --stdio | --http PORT [--fault NAME]``: the reference
implementation (or a seeded faulty one) behind the adapter protocol
(``docs/adapter-protocol.md``), for vendors comparing transports and for the
runner's own tests."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, got {port}")
    return port


def _implementation(args: argparse.Namespace) -> Any:
    if args.fault:
        from mhhs_sec.conformance.faults import faulty_factory

        return faulty_factory(args.fault)()
    from mhhs_sec.conformance.reference import ReferenceImplementation

    return ReferenceImplementation()


def run(args: argparse.Namespace) -> int:
    try:
        implementation = _implementation(args)
    except ValueError as error:
        print(f"mhhs-sec serve: {error}", file=sys.stderr)
        return 2
    if args.stdio:
        from mhhs_sec.conformance.stdio import serve_stdio

        return serve_stdio(implementation)
    from mhhs_sec.conformance.http import ImplementationServer

    try:
        server = ImplementationServer(implementation, args.host, args.http, validate_duis=args.validate_duis)
    except (OSError, OverflowError) as error:
        print(f"mhhs-sec serve: cannot listen on {args.host}:{args.http}: {error}", file=sys.stderr)
        return 2
    # The URL on stdout (first line) lets a caller that asked for port 0 find the port.
    print(server.url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the reference implementation over the adapter protocol (stdio or HTTP)"
    )
    transport = parser.add_mutually_exclusive_group(required=True)
    transport.add_argument("--stdio", action="store_true", help="JSON lines on stdin / stdout")
    transport.add_argument("--http", type=_port, metavar="PORT", help="HTTP on PORT (0: any free port, printed)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on with --http (default loopback)")
    parser.add_argument(
        "--validate-duis", action="store_true", help="with --http: validate each sr:Request against the DUIS 5.4 schema"
    )
    parser.add_argument("--fault", metavar="NAME", help="serve a seeded faulty implementation (see selfcheck)")
    parser.set_defaults(func=run)

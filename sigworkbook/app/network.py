"""Small network checks for serving: is a host loopback-only, is a port free to listen on."""

from __future__ import annotations

import errno
import ipaddress
import socket

LOCAL_HOSTNAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """True when `host` (a name or an address) only reaches this machine."""
    name = host.strip().strip("[]").lower()
    if name in LOCAL_HOSTNAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def local_address(host: str) -> str:
    """The address, as written in a URL, at which programs on this machine reach a server that
    listens on `host` (the pre-heated kernels use it to fetch their page's request).

    A wildcard address is reached over loopback (IPv6 only for `::`, which tornado binds
    IPv6-only); a specific address or a host name only at itself.
    """
    name = host.strip().strip("[]")
    if name in ("", "*"):
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return name
    if address.is_unspecified:
        return "[::1]" if address.version == 6 else "127.0.0.1"
    return f"[{address}]" if address.version == 6 else str(address)


def _listen_addresses(host: str, port: int) -> list[tuple[int, tuple[object, ...]]]:
    """The (family, address) pairs a server binding `host`:`port` listens on, like tornado does."""
    bind_host = None if host in ("", "*") else host
    infos = socket.getaddrinfo(
        bind_host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
    )
    seen: set[tuple[int, tuple[object, ...]]] = set()
    result: list[tuple[int, tuple[object, ...]]] = []
    for family, _type, _proto, _name, address in infos:
        key = (int(family), tuple(address))
        if key not in seen:
            seen.add(key)
            result.append(key)
    return result


def port_in_use(host: str, port: int) -> bool:
    """True when another program already listens on `port` at an address `host` resolves to.

    Uses SO_REUSEADDR like tornado, so a port that only has connections in TIME_WAIT counts as
    free, exactly as it would for the real server.
    """
    for family, address in _listen_addresses(host, port):
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    return True
                if error.errno == errno.EADDRNOTAVAIL:
                    continue
                raise
    return False


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free on `host` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def network_address() -> str | None:
    """This machine's IPv4 address on its network (the one its default route leaves by), or
    None without one. Nothing is sent: connecting a UDP socket only picks the route."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): never a real host
            address = ipaddress.ip_address(probe.getsockname()[0])
        except (OSError, ValueError):
            return None
    return None if address.is_loopback or address.is_unspecified else str(address)

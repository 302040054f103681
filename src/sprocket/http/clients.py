"""Who a request comes from, as far as the network says."""

from __future__ import annotations

import ipaddress

from starlette.types import Scope


def address_key(scope: Scope) -> str:
    """The client's address as a rate-limit key (``addr:...``): the address the trusted
    proxies report (``SPROCKET_TRUSTED_PROXIES``; never a header an untrusted client sets),
    an IPv6 client by its /64 network, since one host may hold a whole /64 to rotate
    through."""
    client = scope.get("client")
    host = client[0] if client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"addr:{host}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"addr:{address.ipv4_mapped}"
        return f"addr:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"addr:{address}"

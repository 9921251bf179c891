"""Whose address a request has: X-Forwarded-For believed only from configured proxies."""

from __future__ import annotations

import pytest

from aduan.config import load_settings
from aduan.web.proxies import forwarded_client, networks
from aduan.workflow.errors import InputError

PROXIES = networks(["10.0.0.5/32", "192.168.7.0/24"])


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("127.0.0.1", "198.51.100.7", "127.0.0.1"),  # loopback is no proxy unless listed
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # nor is anyone else
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),  # a listed proxy says who it served
        ("10.0.0.5", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the forged first hop is not it
        ("10.0.0.5", "198.51.100.7, 192.168.7.20", "198.51.100.7"),  # through two proxies
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", "bukan-alamat", "10.0.0.5"),
        ("10.0.0.5", "192.168.7.20", "192.168.7.20"),  # only proxies: the farthest one
    ],
)
def test_the_caller_is_the_first_untrusted_hop(peer: str, header: str, expected: str) -> None:
    assert forwarded_client(peer, header, PROXIES) == expected


def test_trusted_proxies_are_read_from_the_environment() -> None:
    assert load_settings({}).trusted_proxies == ()
    listed = load_settings({"ADUAN_TRUSTED_PROXIES": "10.0.0.5, 192.168.7.9/24"})
    assert listed.trusted_proxies == ("10.0.0.5/32", "192.168.7.0/24")
    with pytest.raises(InputError) as refused:
        load_settings({"ADUAN_TRUSTED_PROXIES": "10.0.0.5,proxy.lokal"})
    assert refused.value.field == "ADUAN_TRUSTED_PROXIES"

"""The private-network guard: every address form, literal spellings, and vetting answers."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest

from workers.errors import BlockedAddress, PageRejected
from workers.fetch import check_target
from workers.netguard import GuardedBackend, embedded_ipv4, is_public, literal_address

# (address, public?, why). Every row that embeds an IPv4 address names it.
ADDRESSES = [
    ("93.184.215.14", True, "public IPv4"),
    ("8.8.8.8", True, "public IPv4"),
    ("127.0.0.1", False, "loopback"),
    ("127.0.0.2", False, "loopback /8"),
    ("10.0.0.1", False, "RFC 1918"),
    ("172.16.5.4", False, "RFC 1918"),
    ("192.168.1.1", False, "RFC 1918"),
    ("169.254.169.254", False, "link-local (cloud metadata)"),
    ("100.64.0.1", False, "carrier-grade NAT"),
    ("0.0.0.0", False, "unspecified"),
    ("255.255.255.255", False, "broadcast"),
    ("224.0.0.1", False, "multicast"),
    ("192.0.2.1", False, "documentation"),
    ("198.18.0.1", False, "benchmarking"),
    ("2606:4700::1111", True, "public IPv6"),
    ("2a00:1450:4001::200e", True, "public IPv6"),
    ("::1", False, "IPv6 loopback"),
    ("::", False, "IPv6 unspecified"),
    ("fe80::1", False, "IPv6 link-local"),
    ("fc00::1", False, "unique local"),
    ("fd12:3456::1", False, "unique local"),
    ("fec0::1", False, "site-local (deprecated)"),
    ("ff02::1", False, "IPv6 multicast"),
    ("2001:db8::1", False, "documentation"),
    ("3fff::1", False, "documentation (RFC 9637)"),
    ("100::1", False, "discard-only"),
    ("::ffff:127.0.0.1", False, "IPv4-mapped loopback"),
    ("::ffff:10.0.0.1", False, "IPv4-mapped private"),
    ("::ffff:169.254.169.254", False, "IPv4-mapped metadata"),
    ("::ffff:8.8.8.8", True, "IPv4-mapped public"),
    ("::10.0.0.1", False, "IPv4-compatible private"),
    ("::127.0.0.1", False, "IPv4-compatible loopback"),
    ("::ffff:0:10.0.0.1", False, "SIIT IPv4-translated private"),
    ("64:ff9b::a00:1", False, "NAT64 of 10.0.0.1"),
    ("64:ff9b::a9fe:a9fe", False, "NAT64 of 169.254.169.254"),
    ("64:ff9b::7f00:1", False, "NAT64 of 127.0.0.1"),
    ("64:ff9b::808:808", True, "NAT64 of 8.8.8.8"),
    ("64:ff9b:1::a00:1", False, "local-use NAT64 prefix"),
    ("64:ff9b:1:808:808::", False, "local-use NAT64 prefix, /48 embedding"),
    ("2002:a00:1::1", False, "6to4 of 10.0.0.1"),
    ("2002:7f00:1::1", False, "6to4 of 127.0.0.1"),
    ("2002:a9fe:a9fe::1", False, "6to4 of 169.254.169.254"),
    ("2002:808:808::1", True, "6to4 of 8.8.8.8"),
    # Teredo: server 65.54.227.120, client obfuscated (XOR) in the low 32 bits.
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False, "Teredo, client 10.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", False, "Teredo, client 127.0.0.1"),
    ("2001:0:a00:1:8000:63bf:f7f7:f7f7", False, "Teredo, server 10.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", True, "Teredo, both public"),
    ("2001:4860::5efe:a00:1", False, "ISATAP interface of 10.0.0.1"),
    ("2001:4860::200:5efe:7f00:1", False, "ISATAP interface of 127.0.0.1"),
    ("2606:4700::5efe:808:808", True, "ISATAP interface of a public address"),
]


@pytest.mark.parametrize(("text", "public", "why"), ADDRESSES, ids=[row[2] for row in ADDRESSES])
def test_address_table(text: str, public: bool, why: str) -> None:
    """Each address form is public or not as the table says, embedded IPv4 included."""
    assert is_public(ipaddress.ip_address(text)) is public, why


def test_embedded_ipv4_names_the_address() -> None:
    """The IPv4 inside NAT64, 6to4, mapped and Teredo addresses is recovered exactly."""
    v4 = ipaddress.IPv4Address
    assert embedded_ipv4(ipaddress.IPv6Address("64:ff9b::a9fe:a9fe")) == [v4("169.254.169.254")]
    assert embedded_ipv4(ipaddress.IPv6Address("2002:c0a8:101::1")) == [v4("192.168.1.1")]
    assert embedded_ipv4(ipaddress.IPv6Address("::ffff:10.1.2.3")) == [v4("10.1.2.3")]
    teredo = ipaddress.IPv6Address("2001:0:4136:e378:8000:63bf:f5ff:fffe")
    assert embedded_ipv4(teredo) == [v4("65.54.227.120"), v4("10.0.0.1")]
    assert embedded_ipv4(ipaddress.IPv6Address("2606:4700::1111")) == []


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("[64:ff9b::a00:1]", "64:ff9b::a00:1"),
        ("news.example", None),
        ("1.example", None),
    ],
)
def test_literal_addresses_need_no_lookup(host: str, address: str | None) -> None:
    """Every numeric spelling of an address is read locally; names are left to DNS."""
    found = literal_address(host)
    assert (str(found) if found else None) == address


class _Answers:
    def __init__(self, *answers: Sequence[str]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> Sequence[str]:
        self.calls.append((host, port))
        return self.answers.pop(0)


def test_every_answer_is_vetted() -> None:
    """One private answer among public ones blocks the host; literals skip the resolver."""
    resolver = _Answers(["93.184.215.14", "10.0.0.1"], ["93.184.215.14"])
    backend = GuardedBackend(allow_private=False, resolver=resolver)
    with pytest.raises(BlockedAddress, match=r"10\.0\.0\.1"):
        backend.addresses("mixed.example", 80)
    assert backend.addresses("public.example", 80) == ["93.184.215.14"]
    with pytest.raises(BlockedAddress):
        backend.addresses("2130706433", 80)
    assert resolver.calls == [("mixed.example", 80), ("public.example", 80)]


def test_allow_private_still_pins() -> None:
    """A source allowed on private networks gets the resolved address, unvetted."""
    backend = GuardedBackend(allow_private=True, resolver=_Answers(["10.0.0.1"]))
    assert backend.addresses("intranet.example", 80) == ["10.0.0.1"]


@pytest.mark.parametrize(
    "url",
    [
        "http://news.example/a",
        "https://xn--bcher-kva.example/story",
        "https://bücher.example/story",
        "http://[2606:4700::1111]/",
        "http://93.184.215.14:8080/",
    ],
)
def test_fetchable_targets_pass_the_offline_check(url: str) -> None:
    """Public names (IDN too) and public literals pass the check that needs no network."""
    check_target(url, allow_private=False)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://news.example/",
        "file:///etc/passwd",
        "http://user:pw@news.example/",
        "http://news.example@127.0.0.1/",
        "http://127.1/",
        "http://0x7f.0.0.1/",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a00:1]/",
        "http://[2002:c0a8:101::1]/",
    ],
)
def test_unfetchable_targets_fail_the_offline_check(url: str) -> None:
    """Other schemes, credentials and non-public literals are refused with no lookup."""
    with pytest.raises(PageRejected):
        check_target(url, allow_private=False)

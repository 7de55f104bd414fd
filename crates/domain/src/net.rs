//! Network addresses as rules, without I/O: which addresses are public
//! (where an outgoing request may go), address blocks (`10.0.0.0/8`) for the
//! trusted proxies, the client behind trusted proxies, and the key a rate
//! limit counts an address under.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether an address is a public unicast address of the Internet: not
/// private, loopback, link-local, unique-local, unspecified, broadcast,
/// multicast, documentation, benchmarking, shared (CGNAT) or reserved; an
/// IPv6 address that embeds an IPv4 one (mapped, compatible, NAT64, 6to4)
/// is judged by the IPv4 address it embeds.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = a == 0 // "this network", 0.0.0.0
        || a == 10 // private
        || a == 127 // loopback
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT), 100.64.0.0/10
        || (a == 169 && b == 254) // link-local
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation (TEST-NET-1)
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 192 && b == 168) // private
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // documentation (TEST-NET-2)
        || (a == 203 && b == 0 && c == 113) // documentation (TEST-NET-3)
        || a >= 224; // multicast, reserved, broadcast
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // Forms that carry an IPv4 address: judged by it.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] {
        // `::`, `::1` and the deprecated IPv4-compatible `::a.b.c.d`.
        return !(ip.is_unspecified() || ip.is_loopback()) && is_public_v4(embedded_v4(s[6], s[7]));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // NAT64 well-known prefix.
        return is_public_v4(embedded_v4(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        // 6to4: the IPv4 address follows the prefix.
        return is_public_v4(embedded_v4(s[1], s[2]));
    }
    let refused = (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
        || (s[0] & 0xff00) == 0xff00 // multicast ff00::/8
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation 2001:db8::/32
        || (s[0] == 0x2001 && s[1] < 0x0200) // IETF protocol assignments (Teredo…) 2001::/23
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only 100::/64
        || s[0] < 0x2000 // outside global unicast 2000::/3
        || s[0] >= 0x4000;
    !refused
}

fn embedded_v4(hi: u16, lo: u16) -> Ipv4Addr {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// An address as a person would write it: IPv4-mapped IPv6 addresses
/// (`::ffff:192.0.2.1`, what a dual-stack socket reports) become IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// What a per-address limit counts under: the address itself for IPv4, its
/// /64 network for IPv6 (one subscriber usually holds a whole /64).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// A block of addresses: `192.0.2.0/24`, `2001:db8::/32`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpBlock {
    network: IpAddr,
    prefix: u8,
}

impl IpBlock {
    /// Reads `address` or `address/prefix`.
    pub fn parse(s: &str) -> Option<IpBlock> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (s, None),
        };
        let addr = canonical(addr.parse::<IpAddr>().ok()?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return None;
        }
        Some(IpBlock {
            network: mask(addr, prefix),
            prefix,
        })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        ip.is_ipv4() == self.network.is_ipv4() && mask(ip, self.prefix) == self.network
    }
}

impl std::fmt::Display for IpBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(prefix))
            };
            IpAddr::V4(Ipv4Addr::from(bits & m))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(prefix))
            };
            IpAddr::V6(Ipv6Addr::from(bits & m))
        }
    }
}

/// The client of a request. The TCP peer is the client unless it is one of
/// the `trusted` proxies: then `X-Forwarded-For` (its values in order, each a
/// comma-separated list, the nearest hop last) is read from the right, and
/// the first address that is not itself a trusted proxy is the client. An
/// entry that is not an address stops the walk at the last hop we could
/// trust; a chain of trusted proxies only gives its left-most one.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &[IpBlock],
) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.iter().any(|b| b.contains(peer)) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            return client;
        };
        client = ip;
        if !trusted.iter().any(|b| b.contains(ip)) {
            return ip;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, maybe with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sa) = hop.parse::<std::net::SocketAddr>() {
        return Some(canonical(sa.ip()));
    }
    let inner = hop.strip_prefix('[').and_then(|h| h.strip_suffix(']'))?;
    inner.parse::<IpAddr>().ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn public_and_refused_addresses() {
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "142.250.72.10",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "2607:f8b0:4020:806::200a",
            "2a00:1450:4007:80e::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(public)), "{public} should be public");
        }
        for refused in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.10",
            "192.168.1.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.7",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "fc00::1",
            "fd12:3456:789a::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
            "100::1",
        ] {
            assert!(!is_public(ip(refused)), "{refused} should be refused");
        }
    }

    #[test]
    fn blocks_parse_and_contain() {
        let b = IpBlock::parse("10.1.0.0/16").unwrap();
        assert!(b.contains(ip("10.1.200.3")));
        assert!(!b.contains(ip("10.2.0.1")));
        assert!(b.contains(ip("::ffff:10.1.0.9")));
        let one = IpBlock::parse(" 192.0.2.7 ").unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6 = IpBlock::parse("2001:db8:aa::/48").unwrap();
        assert!(v6.contains(ip("2001:db8:aa:1::5")));
        assert!(!v6.contains(ip("2001:db8:ab::5")));
        assert!(!v6.contains(ip("10.1.0.1")));
        assert_eq!(
            IpBlock::parse("0.0.0.0/0").map(|b| b.contains(ip("8.8.8.8"))),
            Some(true)
        );
        for bad in ["", "10.0.0.0/33", "2001:db8::/129", "nope", "10.0.0.0/x"] {
            assert!(IpBlock::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(b.to_string(), "10.1.0.0/16");
    }

    #[test]
    fn forwarded_for_is_believed_from_trusted_proxies_only() {
        let trusted = [IpBlock::parse("10.0.0.0/8").unwrap()];
        // An untrusted peer: the header is ignored.
        assert_eq!(
            client_address(ip("198.51.100.1"), ["203.0.113.9"], &trusted),
            ip("198.51.100.1")
        );
        // A trusted peer: the right-most untrusted entry.
        assert_eq!(
            client_address(ip("10.0.0.2"), ["1.2.3.4, 203.0.113.9, 10.0.0.3"], &trusted),
            ip("203.0.113.9")
        );
        // Several header lines read as one list.
        assert_eq!(
            client_address(ip("10.0.0.2"), ["1.2.3.4", "203.0.113.9"], &trusted),
            ip("203.0.113.9")
        );
        // No header: the proxy itself.
        assert_eq!(client_address(ip("10.0.0.2"), [], &trusted), ip("10.0.0.2"));
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(
            client_address(ip("10.0.0.2"), ["203.0.113.9, junk, 10.0.0.5"], &trusted),
            ip("10.0.0.5")
        );
        // Ports and brackets, mapped addresses.
        assert_eq!(
            client_address(ip("10.0.0.2"), ["[2001:db8::7]:443"], &trusted),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_address(ip("::ffff:10.0.0.2"), ["192.0.2.4:5000"], &trusted),
            ip("192.0.2.4")
        );
        // Only proxies: the left-most.
        assert_eq!(
            client_address(ip("10.0.0.2"), ["10.9.9.9, 10.0.0.3"], &trusted),
            ip("10.9.9.9")
        );
    }

    #[test]
    fn ipv6_is_counted_by_its_64() {
        assert_eq!(limit_key(ip("2001:db8:1:2::1")), limit_key(ip("2001:db8:1:2:ffff::9")));
        assert_ne!(limit_key(ip("2001:db8:1:2::1")), limit_key(ip("2001:db8:1:3::1")));
        assert_eq!(limit_key(ip("192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }
}

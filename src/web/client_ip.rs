//! Who a request comes from, as the per-client limits (signing, sign-in) count it.
//!
//! Without trusted proxies the client is the TCP peer. Behind them, `X-Forwarded-For` is
//! read from the right, the end our proxies wrote: each trusted hop vouches for the entry
//! just left of it, and the first entry that is not a trusted proxy is the client. What
//! lies further left is whatever the client chose to send and is never believed. Entries
//! may be `ip`, `ip:port`, `[v6]` or `[v6]:port` (proxies differ); an entry that parses as
//! none of these ends the walk, and the last trusted hop reached stands in for the client.
//! Skipping it instead would let the left-most value, the attacker's, become the client:
//! every request could then pick its own key. A shared key is the safe failure.
//!
//! Limits key IPv6 clients by their /64: a subscriber usually gets a whole /64, and
//! rotating through it must not buy a fresh allowance per address.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use actix_web::HttpRequest;

/// The key per-client limits count against: the client's IPv4 address, or its IPv6 /64.
/// `None` only when the peer is unknown (a request built in a test).
pub fn client_key(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    client_ip(req, trusted).map(limit_key)
}

/// The client's address (see the module comment).
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .flat_map(|v| v.to_str().unwrap_or("?").split(','))
        .collect::<Vec<_>>();
    Some(walk(peer, &forwarded, trusted))
}

fn walk(peer: IpAddr, forwarded: &[&str], trusted: &[IpAddr]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|t| t.to_canonical() == *ip);
    let mut hop = peer.to_canonical();
    for entry in forwarded.iter().rev() {
        if !is_trusted(&hop) {
            break;
        }
        match parse_entry(entry) {
            Some(ip) => hop = ip,
            None => break,
        }
    }
    hop
}

/// `ip`, `ip:port`, `[v6]` or `[v6]:port`, as canonical (an IPv4-mapped IPv6 address is
/// its IPv4 address).
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip =
        entry.parse::<IpAddr>().ok().or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip())).or_else(
            || entry.strip_prefix('[')?.strip_suffix(']')?.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
        )?;
    Some(ip.to_canonical())
}

fn limit_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !(u128::MAX >> 64))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROXY: &str = "10.0.0.1";

    fn trusted() -> Vec<IpAddr> {
        ["10.0.0.1", "10.0.0.2", "2001:db8:ffff::1"].iter().map(|s| s.parse().unwrap()).collect()
    }

    fn client(peer: &str, headers: &[&str]) -> String {
        let mut req =
            actix_web::test::TestRequest::default().peer_addr(SocketAddr::new(peer.parse().unwrap(), 5555));
        for header in headers {
            req = req.append_header(("X-Forwarded-For", *header));
        }
        client_ip(&req.to_http_request(), &trusted()).unwrap().to_string()
    }

    #[test]
    fn the_walk_from_the_right_stops_at_the_first_address_that_is_not_a_proxy() {
        let table: &[(&str, &[&str], &str)] = &[
            // (peer, X-Forwarded-For lines, client)
            ("192.0.2.50", &["203.0.113.7"], "192.0.2.50"),
            (PROXY, &[], PROXY),
            (PROXY, &["203.0.113.7"], "203.0.113.7"),
            (PROXY, &["203.0.113.7:4711"], "203.0.113.7"),
            (PROXY, &["2001:db8:1::7"], "2001:db8:1::7"),
            (PROXY, &["[2001:db8:1::7]"], "2001:db8:1::7"),
            (PROXY, &["[2001:db8:1::7]:4711"], "2001:db8:1::7"),
            (PROXY, &["::ffff:203.0.113.7"], "203.0.113.7"),
            (PROXY, &[" 203.0.113.7 "], "203.0.113.7"),
            // The left-most value is the client's own word; the proxy's entry wins.
            (PROXY, &["198.51.100.9, 203.0.113.7:4711"], "203.0.113.7"),
            (PROXY, &["198.51.100.9, [2001:db8:1::7]:4711"], "2001:db8:1::7"),
            (PROXY, &["198.51.100.9", "203.0.113.7:4711"], "203.0.113.7"),
            // Two proxies, each appending its peer.
            (PROXY, &["198.51.100.9, 203.0.113.7, 10.0.0.2"], "203.0.113.7"),
            (PROXY, &["198.51.100.9, 203.0.113.7:1, 10.0.0.2:443"], "203.0.113.7"),
            (PROXY, &["198.51.100.9, 203.0.113.7, [2001:db8:ffff::1]:443"], "203.0.113.7"),
            (PROXY, &["10.0.0.2"], "10.0.0.2"),
            // Something unparsable ends the walk at the last trusted hop.
            (PROXY, &["198.51.100.9, unknown"], PROXY),
            (PROXY, &["198.51.100.9, _hidden"], PROXY),
            (PROXY, &["198.51.100.9, "], PROXY),
            (PROXY, &["198.51.100.9,,"], PROXY),
            (PROXY, &["198.51.100.9, garbage, 10.0.0.2"], "10.0.0.2"),
            (PROXY, &["198.51.100.9, [2001:db8:1::7"], PROXY),
            (PROXY, &["198.51.100.9, 203.0.113.7:99999"], PROXY),
            (PROXY, &["198.51.100.9, 203.0.113.7:4711:1"], PROXY),
            (PROXY, &["198.51.100.9, [203.0.113.7]"], PROXY),
        ];
        for (peer, headers, expected) in table {
            assert_eq!(client(peer, headers), *expected, "peer {peer}, X-Forwarded-For {headers:?}");
        }
    }

    #[test]
    fn a_header_that_is_not_text_ends_the_walk_at_the_proxy() {
        let req = actix_web::test::TestRequest::default()
            .peer_addr(SocketAddr::new(PROXY.parse().unwrap(), 5555))
            .append_header(("X-Forwarded-For", "198.51.100.9"))
            .append_header((
                "X-Forwarded-For",
                actix_web::http::header::HeaderValue::from_bytes(b"\xff").unwrap(),
            ))
            .to_http_request();
        assert_eq!(client_ip(&req, &trusted()).unwrap().to_string(), PROXY);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_and_ipv4_clients_by_their_address() {
        for (ip, key) in [
            ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),
            ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),
            ("203.0.113.7", "203.0.113.7"),
            ("::ffff:203.0.113.7", "203.0.113.7"),
        ] {
            assert_eq!(limit_key(ip.parse().unwrap()).to_string(), key, "{ip}");
        }
    }
}

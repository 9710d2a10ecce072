//! Where a webhook may go: addresses on the public internet only, unless the operator says
//! otherwise (`RALLYPOST_WEBHOOK_ALLOW_PRIVATE=1`, for a relay on this machine and tests).
//!
//! Why: an owner types a receiver's URL, and the server then posts to it. Without this
//! check a URL (or a name whose DNS answer changes later) could make the server post to
//! itself, to the database's network, or to a cloud's metadata service at
//! 169.254.169.254, which hands out credentials: server-side request forgery. So every
//! address is checked twice: when a receiver is added (the name is resolved, and every
//! answer must be public), and at each delivery, where `PublicOnly` is the HTTP client's
//! resolver and drops any answer that is not, so that DNS rebinding after `add` reaches
//! nothing. An IP literal in a URL never meets a resolver; `check_literal` is asked first.
//!
//! Not here: the scheme rules (`receivers::ReceiverUrl`) and redirects, which the
//! deliverer does not follow.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Which addresses webhooks may reach (`RALLYPOST_WEBHOOK_ALLOW_PRIVATE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressPolicy {
    /// Public addresses only: the default.
    PublicOnly,
    /// Any address, this machine's and private networks' too.
    AllowPrivate,
}

/// Why an address is not on the public internet, named as an operator would look it up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reserved {
    Unspecified,
    ThisNetwork,
    Loopback,
    Private,
    SharedCgnat,
    CloudMetadata,
    LinkLocal,
    UniqueLocal,
    SiteLocal,
    IetfProtocol,
    Documentation,
    Benchmarking,
    Multicast,
    Broadcast,
    FutureUse,
    Discard,
    Teredo,
    Ipv4Compatible,
}

impl fmt::Display for Reserved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reserved::Unspecified => "unspecified address",
            Reserved::ThisNetwork => "\"this network\", 0.0.0.0/8",
            Reserved::Loopback => "loopback, this machine",
            Reserved::Private => "private network",
            Reserved::SharedCgnat => "carrier-grade NAT, 100.64.0.0/10",
            Reserved::CloudMetadata => "cloud metadata service",
            Reserved::LinkLocal => "link-local",
            Reserved::UniqueLocal => "unique local, fc00::/7",
            Reserved::SiteLocal => "site-local, fec0::/10",
            Reserved::IetfProtocol => "IETF protocol assignments",
            Reserved::Documentation => "documentation range",
            Reserved::Benchmarking => "benchmarking range",
            Reserved::Multicast => "multicast",
            Reserved::Broadcast => "broadcast",
            Reserved::FutureUse => "reserved, 240.0.0.0/4",
            Reserved::Discard => "discard-only, 100::/64",
            Reserved::Teredo => "Teredo tunnel, 2001::/32",
            Reserved::Ipv4Compatible => "deprecated IPv4-compatible IPv6",
        })
    }
}

/// Why `ip` is not a public internet address, or `None` if it is one.
pub fn reserved(ip: IpAddr) -> Option<Reserved> {
    match ip {
        IpAddr::V4(ip) => reserved_v4(ip),
        IpAddr::V6(ip) => reserved_v6(ip),
    }
}

fn reserved_v4(ip: Ipv4Addr) -> Option<Reserved> {
    let [a, b, c, d] = ip.octets();
    Some(match (a, b, c, d) {
        (0, 0, 0, 0) => Reserved::Unspecified,
        (0, ..) => Reserved::ThisNetwork,
        (127, ..) => Reserved::Loopback,
        // AWS, GCP, Azure, OpenStack at .254; AWS ECS task credentials at .170.2.
        (169, 254, 169, 254) | (169, 254, 170, 2) => Reserved::CloudMetadata,
        (169, 254, ..) => Reserved::LinkLocal,
        _ if ip.is_private() => Reserved::Private,
        (100, 64..=127, ..) => Reserved::SharedCgnat,
        (192, 0, 0, _) => Reserved::IetfProtocol,
        _ if ip.is_documentation() => Reserved::Documentation,
        (198, 18..=19, ..) => Reserved::Benchmarking,
        _ if ip.is_multicast() => Reserved::Multicast,
        _ if ip.is_broadcast() => Reserved::Broadcast,
        (240..=255, ..) => Reserved::FutureUse,
        _ => return None,
    })
}

fn reserved_v6(ip: Ipv6Addr) -> Option<Reserved> {
    // An IPv4 address inside an IPv6 one reaches that IPv4 address: judge it as one.
    if let Some(v4) = embedded_v4(ip) {
        return reserved_v4(v4);
    }
    let s = ip.segments();
    Some(match s {
        _ if ip.is_unspecified() => Reserved::Unspecified,
        _ if ip.is_loopback() => Reserved::Loopback,
        [0, 0, 0, 0, 0, 0, _, _] => Reserved::Ipv4Compatible,
        _ if ip.is_multicast() => Reserved::Multicast,
        _ if ip.is_unique_local() => Reserved::UniqueLocal,
        _ if ip.is_unicast_link_local() => Reserved::LinkLocal,
        [x, ..] if x & 0xffc0 == 0xfec0 => Reserved::SiteLocal,
        [0x100, 0, 0, 0, ..] => Reserved::Discard,
        [0x2001, 0, ..] => Reserved::Teredo,
        [0x2001, 2, 0, ..] => Reserved::Benchmarking,
        [0x2001, 0xdb8, ..] => Reserved::Documentation,
        [0x3fff, y, ..] if y < 0x1000 => Reserved::Documentation,
        _ => return None,
    })
}

/// The IPv4 address that v4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and
/// 6to4 (`2002:aabb:ccdd::`) addresses carry.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(v4(hi, lo)),
        [0x2002, hi, lo, ..] => Some(v4(hi, lo)),
        _ => None,
    }
}

/// A destination refused: the host as written, and each address it came to with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub host: String,
    pub addresses: Vec<(IpAddr, Reserved)>,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let named: Vec<String> = self.addresses.iter().map(|(ip, why)| format!("{ip} ({why})")).collect();
        write!(
            f,
            "{} is not on the public internet: {}; webhooks go to public addresses only \
             unless RALLYPOST_WEBHOOK_ALLOW_PRIVATE=1",
            self.host,
            named.join(", ")
        )
    }
}

impl std::error::Error for Refused {}

impl AddressPolicy {
    /// The addresses among `found` this policy forbids.
    fn forbidden(self, host: &str, found: impl IntoIterator<Item = IpAddr>) -> Option<Refused> {
        if self == AddressPolicy::AllowPrivate {
            return None;
        }
        let addresses: Vec<_> =
            found.into_iter().filter_map(|ip| reserved(ip).map(|why| (ip, why))).collect();
        (!addresses.is_empty()).then(|| Refused { host: host.to_owned(), addresses })
    }

    /// Refuses a URL whose host is a forbidden IP literal; a name is left to the resolver.
    pub fn check_literal(self, url: &url::Url) -> Result<(), Refused> {
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        self.forbidden(&ip.to_string(), [ip]).map_or(Ok(()), Err)
    }

    /// When a receiver is added: resolves its host and refuses it if any answer is
    /// forbidden (an owner should not add a name that half points inside), or if it has no
    /// address at all.
    pub async fn check_url(self, url: &url::Url) -> Result<(), String> {
        if self == AddressPolicy::AllowPrivate {
            return Ok(());
        }
        self.check_literal(url).map_err(|refused| refused.to_string())?;
        let Some(url::Host::Domain(host)) = url.host() else { return Ok(()) };
        let port = url.port_or_known_default().unwrap_or(443);
        let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("cannot find the address of {host}: {e}; check the name"))?
            .collect();
        if found.is_empty() {
            return Err(format!("{host} has no address; check the name"));
        }
        self.forbidden(host, found.iter().map(SocketAddr::ip)).map_or(Ok(()), |r| Err(r.to_string()))
    }
}

/// The deliverer's resolver: the system's answers without the forbidden ones. A name that
/// leaves none fails to connect, with `Refused` as the reason recorded for the attempt.
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(public_addresses(name.as_str().to_owned()))
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn public_addresses(host: String) -> Result<reqwest::dns::Addrs, BoxError> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
    let (public, forbidden): (Vec<SocketAddr>, Vec<SocketAddr>) =
        found.into_iter().partition(|addr| reserved(addr.ip()).is_none());
    if public.is_empty() {
        return Err(match AddressPolicy::PublicOnly.forbidden(&host, forbidden.iter().map(SocketAddr::ip)) {
            Some(refused) => Box::new(refused),
            None => format!("{host} has no address").into(),
        });
    }
    if !forbidden.is_empty() {
        tracing::warn!(%host, dropped = forbidden.len(), "webhooks: dropped non-public DNS answers");
    }
    Ok(Box::new(public.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(text: &str) -> Option<Reserved> {
        reserved(text.parse().unwrap())
    }

    #[test]
    fn addresses_inside_machines_and_private_networks_are_named_for_what_they_are() {
        for (ip, expected) in [
            ("0.0.0.0", Reserved::Unspecified),
            ("0.1.2.3", Reserved::ThisNetwork),
            ("127.0.0.1", Reserved::Loopback),
            ("127.255.255.254", Reserved::Loopback),
            ("10.0.0.1", Reserved::Private),
            ("172.16.0.1", Reserved::Private),
            ("172.31.255.255", Reserved::Private),
            ("192.168.1.1", Reserved::Private),
            ("169.254.169.254", Reserved::CloudMetadata),
            ("169.254.1.1", Reserved::LinkLocal),
            ("100.64.0.1", Reserved::SharedCgnat),
            ("100.127.255.255", Reserved::SharedCgnat),
            ("192.0.0.8", Reserved::IetfProtocol),
            ("192.0.2.1", Reserved::Documentation),
            ("198.51.100.7", Reserved::Documentation),
            ("203.0.113.9", Reserved::Documentation),
            ("198.18.0.1", Reserved::Benchmarking),
            ("224.0.0.1", Reserved::Multicast),
            ("255.255.255.255", Reserved::Broadcast),
            ("240.0.0.1", Reserved::FutureUse),
            ("::", Reserved::Unspecified),
            ("::1", Reserved::Loopback),
            ("::ffff:127.0.0.1", Reserved::Loopback),
            ("::ffff:169.254.169.254", Reserved::CloudMetadata),
            ("::ffff:10.1.2.3", Reserved::Private),
            ("64:ff9b::a9fe:a9fe", Reserved::CloudMetadata),
            ("2002:7f00:1::", Reserved::Loopback),
            ("::127.0.0.1", Reserved::Ipv4Compatible),
            ("fc00::1", Reserved::UniqueLocal),
            ("fd00:ec2::254", Reserved::UniqueLocal),
            ("fe80::1", Reserved::LinkLocal),
            ("fec0::1", Reserved::SiteLocal),
            ("ff02::1", Reserved::Multicast),
            ("2001:db8::1", Reserved::Documentation),
            ("3fff::1", Reserved::Documentation),
            ("100::1", Reserved::Discard),
            ("2001::1", Reserved::Teredo),
            ("2001:2::1", Reserved::Benchmarking),
        ] {
            assert_eq!(why(ip), Some(expected), "{ip}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "169.253.255.255",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:1.1.1.1",
            "2002:0101:0101::",
        ] {
            assert_eq!(why(ip), None, "{ip}");
        }
    }

    #[test]
    fn a_refusal_names_the_address_and_the_setting() {
        let url = url::Url::parse("https://169.254.169.254/latest/meta-data/").unwrap();
        let refused = AddressPolicy::PublicOnly.check_literal(&url).unwrap_err().to_string();
        assert!(refused.contains("169.254.169.254 (cloud metadata service)"), "{refused}");
        assert!(refused.contains("RALLYPOST_WEBHOOK_ALLOW_PRIVATE"), "{refused}");
        let v6 = url::Url::parse("https://[::1]:8443/h").unwrap();
        assert!(AddressPolicy::PublicOnly.check_literal(&v6).unwrap_err().to_string().contains("::1"));
        assert!(AddressPolicy::AllowPrivate.check_literal(&url).is_ok());
        // Other spellings of 127.0.0.1 are parsed to it before anyone connects.
        for other in ["http://0x7f.1/", "http://2130706433/", "http://127.1/"] {
            let url = url::Url::parse(other).unwrap();
            assert!(AddressPolicy::PublicOnly.check_literal(&url).is_err(), "{other}");
        }
    }

    #[tokio::test]
    async fn a_name_for_this_machine_is_refused_when_added_and_when_resolved_for_delivery() {
        let url = url::Url::parse("https://localhost:8443/h").unwrap();
        let refused = AddressPolicy::PublicOnly.check_url(&url).await.unwrap_err();
        assert!(refused.contains("localhost is not on the public internet"), "{refused}");
        assert!(AddressPolicy::AllowPrivate.check_url(&url).await.is_ok());

        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        let Err(e) = PublicOnly.resolve(name).await else { panic!("localhost resolved for delivery") };
        assert!(e.to_string().contains("loopback"), "{e}");
    }
}

//! Who may read `/metrics`: the client addresses in a list of networks (the `metrics_allow`
//! setting), by default only this machine's loopback addresses. Metrics show the site's
//! traffic (which pages are read, how often, how fast) and the fetcher's work, which an
//! operator's Prometheus needs and the public does not.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use axum::http::HeaderMap;

/// The networks allowed to read `/metrics`; empty means nobody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsAccess {
    networks: Vec<Network>,
}

/// The headers a reverse proxy adds to say whom it relays. A request carrying one came
/// through a proxy, so its connection address is the proxy's, not the client's.
const FORWARDING_HEADERS: [&str; 3] = ["forwarded", "x-forwarded-for", "x-real-ip"];

impl MetricsAccess {
    /// This machine only: `127.0.0.0/8` and `::1`, where a local Prometheus or a scraping
    /// agent connects from.
    pub fn loopback() -> Self {
        MetricsAccess {
            networks: vec![
                Network { base: IpAddr::V4(Ipv4Addr::new(127, 0, 0, 0)), prefix: 8 },
                Network { base: IpAddr::V6(Ipv6Addr::LOCALHOST), prefix: 128 },
            ],
        }
    }

    /// Nobody: `/metrics` refuses every request.
    pub fn nobody() -> Self {
        MetricsAccess { networks: Vec::new() }
    }

    /// Whether a request from `client` with these headers may read the metrics. A request
    /// relayed by a proxy is refused whatever the list says: behind a proxy on the same host
    /// every visitor would otherwise connect from loopback, and the addresses a proxy writes
    /// are only as trustworthy as the proxy. Prometheus scrapes the server directly.
    pub fn allows(&self, client: IpAddr, headers: &HeaderMap) -> bool {
        let relayed = FORWARDING_HEADERS.iter().any(|name| headers.contains_key(*name));
        // An IPv4 client of a dual-stack listener arrives as `::ffff:a.b.c.d`.
        let client = client.to_canonical();
        !relayed && self.networks.iter().any(|network| network.contains(client))
    }
}

impl Default for MetricsAccess {
    fn default() -> Self {
        MetricsAccess::loopback()
    }
}

/// Networks and single addresses separated by commas (`127.0.0.0/8,10.1.2.3,::1/128`);
/// empty means nobody. The error is a sentence for the configuration's message.
impl FromStr for MetricsAccess {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let networks = text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(Network::from_str)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MetricsAccess { networks })
    }
}

/// The list as it is written, comma-separated (what `FromStr` reads back).
impl fmt::Display for MetricsAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, network) in self.networks.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}/{}", network.base, network.prefix)?;
        }
        Ok(())
    }
}

/// An address and how many of its leading bits a client must share with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => same_prefix(
                u128::from(base.to_bits()) << 96,
                u128::from(ip.to_bits()) << 96,
                self.prefix,
            ),
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                same_prefix(base.to_bits(), ip.to_bits(), self.prefix)
            }
            _ => false,
        }
    }
}

/// The first `prefix` bits of `a` and `b` agree (both left-aligned in 128 bits).
fn same_prefix(a: u128, b: u128, prefix: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    a & mask == b & mask
}

impl FromStr for Network {
    type Err = String;

    fn from_str(item: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match item.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (item, None),
        };
        let base: IpAddr = address.trim().parse().map_err(|_| {
            format!("'{item}' is not an IP address or a network such as 10.0.0.0/8 or fd00::/8")
        })?;
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(prefix) => match prefix.trim().parse::<u8>() {
                Ok(prefix) if prefix <= bits => prefix,
                _ => return Err(format!("'{item}': the prefix length is 0 to {bits}")),
            },
        };
        Ok(Network { base: base.to_canonical(), prefix })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn allows(access: &MetricsAccess, client: &str) -> bool {
        access.allows(ip(client), &HeaderMap::new())
    }

    #[test]
    fn the_default_is_this_machine_only() {
        let access = MetricsAccess::default();
        for local in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            assert!(allows(&access, local), "{local}");
        }
        for remote in ["10.0.0.1", "192.0.2.7", "::2", "2001:db8::1", "0.0.0.0"] {
            assert!(!allows(&access, remote), "{remote}");
        }
        assert_eq!(access.to_string(), "127.0.0.0/8,::1/128");
        assert_eq!(access.to_string().parse::<MetricsAccess>(), Ok(access));
    }

    #[test]
    fn networks_and_single_addresses_are_matched_by_prefix() {
        let access: MetricsAccess = " 10.0.0.0/8 , 192.0.2.7, fd00::/8".parse().unwrap();
        assert!(allows(&access, "10.255.1.2"));
        assert!(!allows(&access, "11.0.0.1"));
        assert!(allows(&access, "192.0.2.7"));
        assert!(!allows(&access, "192.0.2.8"));
        assert!(allows(&access, "fd12:3456::1"));
        assert!(!allows(&access, "fe80::1"));
        let everyone: MetricsAccess = "0.0.0.0/0,::/0".parse().unwrap();
        assert!(allows(&everyone, "203.0.113.9"));
        assert!(allows(&everyone, "2001:db8::1"));
    }

    #[test]
    fn empty_means_nobody() {
        let access: MetricsAccess = "".parse().unwrap();
        assert_eq!(access, MetricsAccess::nobody());
        assert!(!allows(&access, "127.0.0.1"));
    }

    #[test]
    fn a_relayed_request_is_refused_even_from_an_allowed_address() {
        let access = MetricsAccess::loopback();
        for header in FORWARDING_HEADERS {
            let mut headers = HeaderMap::new();
            headers.insert(header, "203.0.113.9".parse().unwrap());
            assert!(!access.allows(ip("127.0.0.1"), &headers), "{header}");
        }
    }

    #[test]
    fn bad_items_are_named() {
        let err = "10.0.0.0/8,localhost".parse::<MetricsAccess>().unwrap_err();
        assert!(err.contains("'localhost' is not an IP address"), "{err}");
        let err = "10.0.0.0/33".parse::<MetricsAccess>().unwrap_err();
        assert!(err.contains("0 to 32"), "{err}");
        let err = "::/129".parse::<MetricsAccess>().unwrap_err();
        assert!(err.contains("0 to 128"), "{err}");
    }
}

//! The SSRF guard: members type feed URLs, so the fetcher must not become a way into the
//! server's own network. Literal addresses are checked before each request, names when they
//! are resolved, which is on every new connection, so a name that resolves to 127.0.0.1
//! (or starts to, between two fetches) is refused as well (docs/design.md §3).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use super::{FetchError, FetchPolicy};

/// Whether `ip` is an ordinary public unicast address a feed may live on.
pub fn is_public(ip: IpAddr) -> bool {
    non_public_reason(ip).is_none()
}

/// Why `ip` is not public, as a noun phrase for messages, or `None` when it is public.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_unspecified() => "an unspecified address",
        _ if ip.is_broadcast() => "a broadcast address",
        (0, ..) => "a reserved address (0.0.0.0/8)",
        (127, ..) => "a loopback address",
        (10, ..) => "a private address",
        (172, 16..=31, _) => "a private address",
        (192, 168, _) => "a private address",
        (100, 64..=127, _) => "a shared (carrier-grade NAT) address",
        (169, 254, _) => "a link-local address",
        (192, 0, 0) => "a reserved address (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (198, 18..=19, _) => "a benchmarking address",
        (192, 88, 99) => "a reserved address (6to4 relay)",
        (224..=239, ..) => "a multicast address",
        (240..=255, ..) => "a reserved address (240.0.0.0/4)",
        _ => return None,
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some("an unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    // Forms that carry an IPv4 address are judged by that address: ::ffff:127.0.0.1 reaches
    // the loopback interface on a dual-stack socket.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_reason(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] {
        return Some("a deprecated IPv4-compatible address");
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // NAT64 well-known prefix: the gateway connects to the embedded IPv4 address.
        return v4_reason(embedded_v4(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        // 6to4 embeds the IPv4 address of the site.
        return v4_reason(embedded_v4(s[1], s[2]));
    }
    Some(match s[0] {
        0xff00..=0xffff => "a multicast address",
        0xfe80..=0xfebf => "a link-local address",
        0xfec0..=0xfeff => "a site-local address",
        0xfc00..=0xfdff => "a private (unique local) address",
        // Global unicast is 2000::/3; everything else is reserved or special.
        x if x & 0xe000 != 0x2000 => "a reserved address",
        0x2001 if s[1] == 0 => "a Teredo address",
        0x2001 if s[1] == 0xdb8 => "a documentation address",
        0x2001 if (0x10..=0x2f).contains(&s[1]) => "a reserved address (ORCHID)",
        0x3fff if s[1] <= 0x0fff => "a documentation address",
        _ => return None,
    })
}

fn embedded_v4(hi: u16, lo: u16) -> Ipv4Addr {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// Refuses `ip` unless it is public or the policy allows private addresses.
fn check_ip(ip: IpAddr, host: Option<&str>, policy: &FetchPolicy) -> Result<(), FetchError> {
    if policy.allow_private {
        return Ok(());
    }
    match non_public_reason(ip) {
        None => Ok(()),
        Some(reason) => Err(FetchError::Refused { host: host.map(str::to_owned), ip, reason }),
    }
}

/// The check every hop gets before a request is sent: http or https, a host, and a literal
/// address must be allowed (reqwest does not call the resolver for literals). Names are
/// checked later, when the fetcher's resolver resolves them.
pub fn check_hop(url: &Url, policy: &FetchPolicy) -> Result<(), FetchError> {
    match url.scheme() {
        "http" | "https" => {}
        other => return Err(FetchError::UnsupportedScheme(other.to_owned())),
    }
    match url.host() {
        None => Err(FetchError::NoHost),
        Some(Host::Ipv4(ip)) => check_ip(ip.into(), None, policy),
        Some(Host::Ipv6(ip)) => check_ip(ip.into(), None, policy),
        Some(Host::Domain(_)) => Ok(()),
    }
}

/// Where a redirect leads: `location` resolved against `current`, then [`check_hop`]ed.
pub fn redirect_target(
    current: &Url,
    location: &str,
    policy: &FetchPolicy,
) -> Result<Url, FetchError> {
    let next =
        current.join(location).map_err(|e| FetchError::InvalidUrl(format!("{location} ({e})")))?;
    check_hop(&next, policy)?;
    Ok(next)
}

/// The validation a settings form runs before saving a feed URL. Resolution-time checks
/// still happen at every fetch.
pub fn check_url(url: &str, policy: &FetchPolicy) -> Result<Url, FetchError> {
    let url = Url::parse(url.trim()).map_err(|e| FetchError::InvalidUrl(e.to_string()))?;
    check_hop(&url, policy)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(FetchError::Credentials);
    }
    Ok(url)
}

/// A `reqwest` resolver that drops the addresses the policy forbids and fails when none is
/// left, so the connection is never made.
#[derive(Debug, Clone)]
pub(crate) struct GuardedResolver {
    pub(crate) policy: FetchPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|_| FetchError::UnknownHost { host: host.clone() })?
                .collect();
            let mut refusal = None;
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|addr| match check_ip(addr.ip(), Some(&host), &policy) {
                    Ok(()) => true,
                    Err(e) => {
                        refusal.get_or_insert(e);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let err = refusal.unwrap_or(FetchError::UnknownHost { host });
                return Err(Box::new(err) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    #[test]
    fn public_addresses_pass() {
        for s in [
            "8.8.8.8",
            "1.1.1.1",
            "93.184.216.34",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.1.1",
            "192.169.0.1",
            "223.255.255.254",
            "2606:4700:4700::1111",
            "2a00:1450:4001:82b::200e",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(is_public(ip(s)), "{s} should be public");
        }
    }

    #[test]
    fn non_public_addresses_are_refused() {
        for (s, reason) in [
            ("127.0.0.1", "a loopback address"),
            ("127.255.255.254", "a loopback address"),
            ("10.0.0.1", "a private address"),
            ("172.16.0.1", "a private address"),
            ("172.31.255.255", "a private address"),
            ("192.168.1.1", "a private address"),
            ("169.254.169.254", "a link-local address"),
            ("100.64.0.1", "a shared (carrier-grade NAT) address"),
            ("100.127.255.255", "a shared (carrier-grade NAT) address"),
            ("0.0.0.0", "an unspecified address"),
            ("0.1.2.3", "a reserved address (0.0.0.0/8)"),
            ("255.255.255.255", "a broadcast address"),
            ("224.0.0.1", "a multicast address"),
            ("239.255.255.250", "a multicast address"),
            ("240.0.0.1", "a reserved address (240.0.0.0/4)"),
            ("192.0.2.1", "a documentation address"),
            ("198.18.0.1", "a benchmarking address"),
            ("::", "an unspecified address"),
            ("::1", "a loopback address"),
            ("::ffff:127.0.0.1", "a loopback address"),
            ("::ffff:10.1.2.3", "a private address"),
            ("::ffff:169.254.169.254", "a link-local address"),
            ("::127.0.0.1", "a deprecated IPv4-compatible address"),
            ("64:ff9b::7f00:1", "a loopback address"),
            ("2002:7f00:1::1", "a loopback address"),
            ("2002:c0a8:101::1", "a private address"),
            ("fc00::1", "a private (unique local) address"),
            ("fd12:3456:789a::1", "a private (unique local) address"),
            ("fe80::1", "a link-local address"),
            ("febf::1", "a link-local address"),
            ("fec0::1", "a site-local address"),
            ("ff02::1", "a multicast address"),
            ("ff05::1:3", "a multicast address"),
            ("2001:db8::1", "a documentation address"),
            ("2001::1", "a Teredo address"),
            ("100::1", "a reserved address"),
            ("4000::1", "a reserved address"),
        ] {
            assert_eq!(non_public_reason(ip(s)), Some(reason), "{s}");
        }
    }

    fn strict() -> FetchPolicy {
        FetchPolicy::default()
    }

    fn lax() -> FetchPolicy {
        FetchPolicy { allow_private: true, ..FetchPolicy::default() }
    }

    #[test]
    fn check_url_refuses_other_schemes_credentials_and_private_literals() {
        for (url, expected) in [
            ("ftp://example.com/feed", FetchError::UnsupportedScheme("ftp".into())),
            ("javascript:alert(1)", FetchError::UnsupportedScheme("javascript".into())),
            ("file:///etc/passwd", FetchError::UnsupportedScheme("file".into())),
            ("https://user:pass@example.com/feed", FetchError::Credentials),
            ("https://user@example.com/feed", FetchError::Credentials),
        ] {
            assert_eq!(check_url(url, &strict()), Err(expected), "{url}");
        }
        for url in [
            "http://127.0.0.1/",
            "http://127.1/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.5/feed",
            "http://[fd00::1]/",
            "http://0.0.0.0/",
        ] {
            assert!(
                matches!(check_url(url, &strict()), Err(FetchError::Refused { host: None, .. })),
                "{url}"
            );
            assert!(check_url(url, &lax()).is_ok(), "{url} with allow_private");
        }
        assert!(matches!(check_url("not a url", &strict()), Err(FetchError::InvalidUrl(_))));
        let ok = check_url(" https://blog.example/feed.xml ", &strict());
        assert_eq!(ok.map(String::from).as_deref(), Ok("https://blog.example/feed.xml"));
        // Names pass here; they are checked when resolved.
        assert!(check_url("http://localhost/", &strict()).is_ok());
    }

    #[test]
    fn redirect_hops_to_private_literals_are_refused() {
        let here = Url::parse("https://blog.example/feed").expect("url");
        for location in [
            "http://[::1]:8080/",
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.1:2375/containers/json",
            "//10.0.0.1/feed",
            "http://[::ffff:192.168.0.1]/",
        ] {
            let err = redirect_target(&here, location, &strict());
            assert!(matches!(err, Err(FetchError::Refused { .. })), "{location}: {err:?}");
            assert!(redirect_target(&here, location, &lax()).is_ok(), "{location}");
        }
        assert_eq!(
            redirect_target(&here, "http://169.254.169.254/", &strict()).map_err(|e| e.to_string()),
            Err("refused: 169.254.169.254 is a link-local address".to_owned())
        );
        assert_eq!(
            redirect_target(&here, "ftp://blog.example/feed", &strict()),
            Err(FetchError::UnsupportedScheme("ftp".into()))
        );
        let next = redirect_target(&here, "/new-feed", &strict());
        assert_eq!(next.map(String::from).as_deref(), Ok("https://blog.example/new-feed"));
    }

    #[tokio::test]
    async fn resolver_refuses_names_of_loopback_addresses() {
        let resolver = GuardedResolver { policy: strict() };
        let name: Name = "localhost".parse().expect("name");
        let err = match resolver.resolve(name).await {
            Ok(_) => panic!("localhost must be refused"),
            Err(e) => e,
        };
        let err = err.downcast_ref::<FetchError>().expect("a FetchError");
        assert!(
            matches!(err, FetchError::Refused { host: Some(h), reason: "a loopback address", .. } if h == "localhost"),
            "{err:?}"
        );

        let resolver = GuardedResolver { policy: lax() };
        let name: Name = "localhost".parse().expect("name");
        let addrs: Vec<_> = resolver.resolve(name).await.expect("allowed").collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
    }
}

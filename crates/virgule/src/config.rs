//! The site's one configuration struct, layered from a TOML file, then `VIRGULE_*` environment
//! variables, then command-line flags; pure functions, so every rule is tested without I/O.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use virgule_store::{MemberName, TrustLevel};

/// Everything the binary needs to know, validated once at start and passed down.
#[derive(Clone, PartialEq)]
pub struct Config {
    /// Where `serve` accepts HTTP connections.
    pub listen: SocketAddr,
    /// Holds the SQLite file (unless `database_url` is set).
    pub data_dir: PathBuf,
    /// A `postgres://` URL: use PostgreSQL instead of SQLite.
    pub database_url: Option<String>,
    pub site_name: String,
    /// The public address of the site, without a trailing slash.
    pub base_url: Option<String>,
    pub secure_cookies: bool,
    /// Let members' feeds point at loopback and private addresses (tests, closed networks).
    pub fetch_allow_private: bool,
    /// How long a fetcher's claim on a feed lasts: a worker that dies holding claims loses
    /// them after this, and another worker fetches those feeds.
    pub fetch_lease: Duration,
    /// The accounts the trust metric starts from.
    pub trust_seeds: Vec<MemberName>,
    /// The trust metric's node capacities by distance from the seeds.
    pub trust_caps: Vec<u32>,
    /// The lowest level whose entries the recent log shows by default.
    pub recentlog_threshold: TrustLevel,
}

/// Written by hand so that a password inside `database_url` never reaches a log.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_ref().map(|_| "<set>"))
            .field("site_name", &self.site_name)
            .field("base_url", &self.base_url)
            .field("secure_cookies", &self.secure_cookies)
            .field("fetch_allow_private", &self.fetch_allow_private)
            .field("fetch_lease", &self.fetch_lease)
            .field("trust_seeds", &self.trust_seeds)
            .field("trust_caps", &self.trust_caps)
            .field("recentlog_threshold", &self.recentlog_threshold)
            .finish()
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./virgule-data";
pub const DEFAULT_SITE_NAME: &str = "Virgule";
pub const DEFAULT_TRUST_CAPS: [u32; 7] = [800, 200, 50, 12, 4, 2, 1];
/// A fetch is bounded at 30 s; parsing and storing take well under a second.
pub const DEFAULT_FETCH_LEASE_SECS: u64 = 120;

/// The environment variable that names the configuration file (like `--config`).
pub const CONFIG_ENV: &str = "VIRGULE_CONFIG";

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: DEFAULT_LISTEN.parse().expect("the default listen address is valid"),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database_url: None,
            site_name: DEFAULT_SITE_NAME.to_owned(),
            base_url: None,
            secure_cookies: false,
            fetch_allow_private: false,
            fetch_lease: Duration::from_secs(DEFAULT_FETCH_LEASE_SECS),
            trust_seeds: Vec::new(),
            trust_caps: DEFAULT_TRUST_CAPS.to_vec(),
            recentlog_threshold: TrustLevel::Apprentice,
        }
    }
}

impl Config {
    /// The web layer's part.
    pub fn web(&self) -> virgule_web::WebConfig {
        virgule_web::WebConfig {
            site_name: self.site_name.clone(),
            base_url: self.base_url.clone(),
            secure_cookies: self.secure_cookies,
        }
    }

    /// The site's own settings: the recent log's default threshold and the trust metric's.
    pub fn site(&self) -> virgule_site::SiteSettings {
        virgule_site::SiteSettings {
            recentlog_threshold: self.recentlog_threshold,
            trust: virgule_site::TrustSettings {
                seeds: self.trust_seeds.clone(),
                caps: self.trust_caps.clone(),
            },
        }
    }

    /// What the feed fetcher may do (the SSRF guard's exception for tests and intranets).
    pub fn fetch_policy(&self) -> virgule_feeds::fetch::FetchPolicy {
        virgule_feeds::fetch::FetchPolicy {
            allow_private: self.fetch_allow_private,
            ..Default::default()
        }
    }

    /// The syndication engine's settings.
    pub fn syndication(&self) -> virgule_syndication::Settings {
        virgule_syndication::Settings {
            fetch: self.fetch_policy(),
            lease: self.fetch_lease,
            ..Default::default()
        }
    }

    /// Builds the configuration from its three layers, each overriding the one before:
    /// the file (if any), the environment (`VIRGULE_*`), the flags. Every value is checked;
    /// the first bad one is reported with where it came from.
    pub fn from_layers(
        file: Option<ConfigFile<'_>>,
        env: &HashMap<String, String>,
        flags: &ConfigFlags,
    ) -> Result<Config, ConfigError> {
        let file = match file {
            Some(file) => file_layer(file)?,
            None => Layer::default(),
        };
        let env = string_layer(|setting| {
            env.get(setting.env).map(|value| (value.clone(), Source::Env(setting.env)))
        })?;
        let flags = string_layer(|setting| {
            (setting.in_flags)(flags).clone().map(|value| (value, Source::Flag(setting.flag)))
        })?;
        let defaults = Config::default();
        // `Option<Option<T>>` for the optional settings: an empty value in a later layer
        // unsets what an earlier one set.
        Ok(Config {
            listen: flags.listen.or(env.listen).or(file.listen).unwrap_or(defaults.listen),
            data_dir: flags
                .data_dir
                .or(env.data_dir)
                .or(file.data_dir)
                .unwrap_or(defaults.data_dir),
            database_url: flags.database_url.or(env.database_url).or(file.database_url).flatten(),
            site_name: flags
                .site_name
                .or(env.site_name)
                .or(file.site_name)
                .unwrap_or(defaults.site_name),
            base_url: flags.base_url.or(env.base_url).or(file.base_url).flatten(),
            secure_cookies: flags
                .secure_cookies
                .or(env.secure_cookies)
                .or(file.secure_cookies)
                .unwrap_or(defaults.secure_cookies),
            fetch_allow_private: flags
                .fetch_allow_private
                .or(env.fetch_allow_private)
                .or(file.fetch_allow_private)
                .unwrap_or(defaults.fetch_allow_private),
            fetch_lease: flags
                .fetch_lease
                .or(env.fetch_lease)
                .or(file.fetch_lease)
                .unwrap_or(defaults.fetch_lease),
            trust_seeds: flags
                .trust_seeds
                .or(env.trust_seeds)
                .or(file.trust_seeds)
                .unwrap_or(defaults.trust_seeds),
            trust_caps: flags
                .trust_caps
                .or(env.trust_caps)
                .or(file.trust_caps)
                .unwrap_or(defaults.trust_caps),
            recentlog_threshold: flags
                .recentlog_threshold
                .or(env.recentlog_threshold)
                .or(file.recentlog_threshold)
                .unwrap_or(defaults.recentlog_threshold),
        })
    }
}

/// The configuration file as read from disk: its path (for messages) and its text.
#[derive(Debug, Clone, Copy)]
pub struct ConfigFile<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

/// Which file a run should read: `--config`, else `VIRGULE_CONFIG`, else none.
pub fn config_path(flags: &ConfigFlags, env: &HashMap<String, String>) -> Option<PathBuf> {
    flags
        .config
        .clone()
        .or_else(|| env.get(CONFIG_ENV).filter(|p| !p.is_empty()).map(PathBuf::from))
}

/// `VIRGULE_*` variables that name no setting: most likely typos, worth a warning.
/// (`VIRGULE_TEST_*` belongs to the test suites.)
pub fn unknown_env_vars(env: &HashMap<String, String>) -> Vec<String> {
    let mut unknown: Vec<String> = env
        .keys()
        .filter(|k| k.starts_with("VIRGULE_") && !k.starts_with("VIRGULE_TEST_"))
        .filter(|k| k.as_str() != CONFIG_ENV && !SETTINGS.iter().any(|s| s.env == k.as_str()))
        .cloned()
        .collect();
    unknown.sort();
    unknown
}

/// The configuration flags every command accepts (before or after the command's name).
/// Values stay text here so that a bad one is reported like a bad file or environment value.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Settings (every command)")]
pub struct ConfigFlags {
    /// Read settings from this TOML file [env: VIRGULE_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address and port to serve on [env: VIRGULE_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long, global = true, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Directory that holds the SQLite database [env: VIRGULE_DATA_DIR] [default: ./virgule-data]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<String>,
    /// A postgres:// URL: use PostgreSQL instead of SQLite [env: VIRGULE_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// The site's name in page headers and feeds [env: VIRGULE_SITE_NAME] [default: Virgule]
    #[arg(long, global = true, value_name = "NAME")]
    pub site_name: Option<String>,
    /// The site's public address, for absolute links [env: VIRGULE_BASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Mark session cookies Secure (behind TLS) [env: VIRGULE_SECURE_COOKIES] [default: false]
    #[arg(long, global = true, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub secure_cookies: Option<String>,
    /// Allow feed fetches to private addresses [env: VIRGULE_FETCH_ALLOW_PRIVATE] [default: false]
    #[arg(long, global = true, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub fetch_allow_private: Option<String>,
    /// Seconds a fetcher's claim on a feed lasts; a crashed worker's feeds are fetched by
    /// others after it [env: VIRGULE_FETCH_LEASE_SECS] [default: 120]
    #[arg(long, global = true, value_name = "SECONDS")]
    pub fetch_lease_secs: Option<String>,
    /// Comma-separated names the trust metric starts from [env: VIRGULE_TRUST_SEEDS]
    #[arg(long, global = true, value_name = "NAMES")]
    pub trust_seeds: Option<String>,
    /// Comma-separated trust capacities [env: VIRGULE_TRUST_CAPS] [default: 800,200,50,12,4,2,1]
    #[arg(long, global = true, value_name = "CAPS")]
    pub trust_caps: Option<String>,
    /// Lowest level the recent log shows by default: observer (0), apprentice (1),
    /// journeyer (2) or master (3) [env: VIRGULE_RECENTLOG_THRESHOLD] [default: apprentice]
    #[arg(long, global = true, value_name = "LEVEL")]
    pub recentlog_threshold: Option<String>,
}

/// A bad setting, with where it came from; the binary exits with status 2 on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// One setting's three names, and where its flag's value sits.
struct Setting {
    key: &'static str,
    env: &'static str,
    flag: &'static str,
    in_flags: fn(&ConfigFlags) -> &Option<String>,
}

const LISTEN: Setting =
    Setting { key: "listen", env: "VIRGULE_LISTEN", flag: "--listen", in_flags: |f| &f.listen };
const DATA_DIR: Setting = Setting {
    key: "data_dir",
    env: "VIRGULE_DATA_DIR",
    flag: "--data-dir",
    in_flags: |f| &f.data_dir,
};
const DATABASE_URL: Setting = Setting {
    key: "database_url",
    env: "VIRGULE_DATABASE_URL",
    flag: "--database-url",
    in_flags: |f| &f.database_url,
};
const SITE_NAME: Setting = Setting {
    key: "site_name",
    env: "VIRGULE_SITE_NAME",
    flag: "--site-name",
    in_flags: |f| &f.site_name,
};
const BASE_URL: Setting = Setting {
    key: "base_url",
    env: "VIRGULE_BASE_URL",
    flag: "--base-url",
    in_flags: |f| &f.base_url,
};
const SECURE_COOKIES: Setting = Setting {
    key: "secure_cookies",
    env: "VIRGULE_SECURE_COOKIES",
    flag: "--secure-cookies",
    in_flags: |f| &f.secure_cookies,
};
const FETCH_ALLOW_PRIVATE: Setting = Setting {
    key: "fetch_allow_private",
    env: "VIRGULE_FETCH_ALLOW_PRIVATE",
    flag: "--fetch-allow-private",
    in_flags: |f| &f.fetch_allow_private,
};
const FETCH_LEASE_SECS: Setting = Setting {
    key: "fetch_lease_secs",
    env: "VIRGULE_FETCH_LEASE_SECS",
    flag: "--fetch-lease-secs",
    in_flags: |f| &f.fetch_lease_secs,
};
const TRUST_SEEDS: Setting = Setting {
    key: "trust_seeds",
    env: "VIRGULE_TRUST_SEEDS",
    flag: "--trust-seeds",
    in_flags: |f| &f.trust_seeds,
};
const TRUST_CAPS: Setting = Setting {
    key: "trust_caps",
    env: "VIRGULE_TRUST_CAPS",
    flag: "--trust-caps",
    in_flags: |f| &f.trust_caps,
};

const RECENTLOG_THRESHOLD: Setting = Setting {
    key: "recentlog_threshold",
    env: "VIRGULE_RECENTLOG_THRESHOLD",
    flag: "--recentlog-threshold",
    in_flags: |f| &f.recentlog_threshold,
};

const SETTINGS: [&Setting; 11] = [
    &LISTEN,
    &DATA_DIR,
    &DATABASE_URL,
    &SITE_NAME,
    &BASE_URL,
    &SECURE_COOKIES,
    &FETCH_ALLOW_PRIVATE,
    &FETCH_LEASE_SECS,
    &TRUST_SEEDS,
    &TRUST_CAPS,
    &RECENTLOG_THRESHOLD,
];

/// Where a value came from, as an error message names it.
#[derive(Debug, Clone)]
enum Source<'a> {
    File { path: &'a Path, key: &'static str },
    Env(&'static str),
    Flag(&'static str),
}

impl fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File { path, key } => write!(f, "`{key}` in {}", path.display()),
            Source::Env(var) => f.write_str(var),
            Source::Flag(flag) => f.write_str(flag),
        }
    }
}

fn invalid(source: &Source<'_>, value: &str, why: &str) -> ConfigError {
    ConfigError(format!("invalid value '{value}' for {source}: {why}"))
}

/// One layer's settings, each already checked; `None` where the layer says nothing.
#[derive(Debug, Default)]
struct Layer {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<Option<String>>,
    site_name: Option<String>,
    base_url: Option<Option<String>>,
    secure_cookies: Option<bool>,
    fetch_allow_private: Option<bool>,
    fetch_lease: Option<Duration>,
    trust_seeds: Option<Vec<MemberName>>,
    trust_caps: Option<Vec<u32>>,
    recentlog_threshold: Option<TrustLevel>,
}

/// The file's shape. Unknown keys are refused so that a typo does not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    data_dir: Option<String>,
    database_url: Option<String>,
    site_name: Option<String>,
    base_url: Option<String>,
    secure_cookies: Option<bool>,
    fetch_allow_private: Option<bool>,
    fetch_lease_secs: Option<i64>,
    trust_seeds: Option<Vec<String>>,
    trust_caps: Option<Vec<i64>>,
    recentlog_threshold: Option<String>,
}

fn file_layer(file: ConfigFile<'_>) -> Result<Layer, ConfigError> {
    let raw: FileSettings = toml::from_str(file.text).map_err(|e| {
        ConfigError(format!(
            "invalid config file {}: {}",
            file.path.display(),
            e.to_string().trim_end()
        ))
    })?;
    let at = |setting: &Setting| Source::File { path: file.path, key: setting.key };
    let seeds = match raw.trust_seeds {
        Some(names) => Some(parse_seed_list(names.iter().map(String::as_str), &at(&TRUST_SEEDS))?),
        None => None,
    };
    let caps = match raw.trust_caps {
        Some(caps) => {
            let source = at(&TRUST_CAPS);
            let text = caps.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let caps = caps
                .iter()
                .map(|&cap| check_cap(cap, &source, &text))
                .collect::<Result<Vec<_>, _>>()?;
            Some(check_caps_present(caps, &source, &text)?)
        }
        None => None,
    };
    Ok(Layer {
        listen: raw.listen.map(|v| parse_listen(&v, &at(&LISTEN))).transpose()?,
        data_dir: raw.data_dir.map(|v| parse_data_dir(&v, &at(&DATA_DIR))).transpose()?,
        database_url: raw
            .database_url
            .map(|v| parse_database_url(&v, &at(&DATABASE_URL)))
            .transpose()?,
        site_name: raw.site_name.map(|v| parse_site_name(&v, &at(&SITE_NAME))).transpose()?,
        base_url: raw.base_url.map(|v| parse_base_url(&v, &at(&BASE_URL))).transpose()?,
        secure_cookies: raw.secure_cookies,
        fetch_allow_private: raw.fetch_allow_private,
        fetch_lease: raw
            .fetch_lease_secs
            .map(|v| parse_lease(&v.to_string(), &at(&FETCH_LEASE_SECS)))
            .transpose()?,
        trust_seeds: seeds,
        trust_caps: caps,
        recentlog_threshold: raw
            .recentlog_threshold
            .map(|v| parse_threshold(&v, &at(&RECENTLOG_THRESHOLD)))
            .transpose()?,
    })
}

/// A layer whose values are all text (environment variables, flags); `get` gives a setting's
/// value and its source, if the layer has one.
fn string_layer<'a>(
    get: impl Fn(&Setting) -> Option<(String, Source<'a>)>,
) -> Result<Layer, ConfigError> {
    Ok(Layer {
        listen: get(&LISTEN).map(|(v, s)| parse_listen(&v, &s)).transpose()?,
        data_dir: get(&DATA_DIR).map(|(v, s)| parse_data_dir(&v, &s)).transpose()?,
        database_url: get(&DATABASE_URL).map(|(v, s)| parse_database_url(&v, &s)).transpose()?,
        site_name: get(&SITE_NAME).map(|(v, s)| parse_site_name(&v, &s)).transpose()?,
        base_url: get(&BASE_URL).map(|(v, s)| parse_base_url(&v, &s)).transpose()?,
        secure_cookies: get(&SECURE_COOKIES).map(|(v, s)| parse_bool(&v, &s)).transpose()?,
        fetch_allow_private: get(&FETCH_ALLOW_PRIVATE)
            .map(|(v, s)| parse_bool(&v, &s))
            .transpose()?,
        fetch_lease: get(&FETCH_LEASE_SECS).map(|(v, s)| parse_lease(&v, &s)).transpose()?,
        trust_seeds: get(&TRUST_SEEDS)
            .map(|(v, s)| parse_seed_list(v.split(','), &s))
            .transpose()?,
        trust_caps: get(&TRUST_CAPS).map(|(v, s)| parse_caps(&v, &s)).transpose()?,
        recentlog_threshold: get(&RECENTLOG_THRESHOLD)
            .map(|(v, s)| parse_threshold(&v, &s))
            .transpose()?,
    })
}

fn parse_listen(value: &str, source: &Source<'_>) -> Result<SocketAddr, ConfigError> {
    value.trim().parse().map_err(|_| {
        invalid(
            source,
            value,
            "expected an IP address and a port, such as 127.0.0.1:8080 or [::]:80",
        )
    })
}

fn parse_data_dir(value: &str, source: &Source<'_>) -> Result<PathBuf, ConfigError> {
    if value.trim().is_empty() {
        return Err(invalid(source, value, "the data directory cannot be empty"));
    }
    Ok(PathBuf::from(value))
}

/// Empty means "not set" (SQLite). The message names only the scheme: the URL may hold a
/// password.
fn parse_database_url(value: &str, source: &Source<'_>) -> Result<Option<String>, ConfigError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.starts_with("postgres://") || value.starts_with("postgresql://") {
        return Ok(Some(value.to_owned()));
    }
    let scheme = value.split_once("://").map_or("(none)", |(scheme, _)| scheme);
    Err(ConfigError(format!(
        "invalid value for {source}: only PostgreSQL URLs (postgres://...) are supported, \
         not the scheme '{scheme}'; leave it unset to use SQLite in the data directory"
    )))
}

fn parse_site_name(value: &str, source: &Source<'_>) -> Result<String, ConfigError> {
    let name = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(invalid(source, value, "the site name cannot be empty"));
    }
    if name.chars().count() > 100 {
        return Err(invalid(source, value, "the site name has at most 100 characters"));
    }
    Ok(name)
}

/// Empty means "not set"; anything else must be an absolute http(s) URL. Kept without a
/// trailing slash so that paths can be appended.
fn parse_base_url(value: &str, source: &Source<'_>) -> Result<Option<String>, ConfigError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let url = url::Url::parse(trimmed).map_err(|e| {
        invalid(
            source,
            value,
            &format!("expected an address such as https://virgule.example.org ({e})"),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(source, value, "expected an http:// or https:// address with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(source, value, "the base URL cannot have a query or a fragment"));
    }
    Ok(Some(url.as_str().trim_end_matches('/').to_owned()))
}

fn parse_bool(value: &str, source: &Source<'_>) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(invalid(source, value, "expected true or false")),
    }
}

/// Names separated by commas; blanks around them and empty items are ignored.
fn parse_seed_list<'v>(
    names: impl Iterator<Item = &'v str>,
    source: &Source<'_>,
) -> Result<Vec<MemberName>, ConfigError> {
    let mut seeds: Vec<MemberName> = Vec::new();
    for raw in names.map(str::trim).filter(|n| !n.is_empty()) {
        let name = MemberName::parse(raw).map_err(|e| invalid(source, raw, &e.to_string()))?;
        if !seeds.contains(&name) {
            seeds.push(name);
        }
    }
    Ok(seeds)
}

/// Whole seconds, 1 to a day.
fn parse_lease(value: &str, source: &Source<'_>) -> Result<Duration, ConfigError> {
    match value.trim().parse::<u64>() {
        Ok(secs @ 1..=86_400) => Ok(Duration::from_secs(secs)),
        _ => Err(invalid(source, value, "expected whole seconds from 1 to 86400, e.g. 120")),
    }
}

/// A level by name (any case) or by rank, as `?thresh=` spells it: `apprentice` or `1`.
fn parse_threshold(value: &str, source: &Source<'_>) -> Result<TrustLevel, ConfigError> {
    let word = value.trim();
    word.parse::<u8>()
        .ok()
        .and_then(TrustLevel::from_rank)
        .or_else(|| TrustLevel::parse(word).ok())
        .ok_or_else(|| {
            invalid(source, value, "expected observer, apprentice, journeyer or master (or 0-3)")
        })
}

fn parse_caps(value: &str, source: &Source<'_>) -> Result<Vec<u32>, ConfigError> {
    let caps = value
        .split(',')
        .map(|item| {
            let item = item.trim();
            let cap: i64 = item.parse().map_err(|_| {
                invalid(
                    source,
                    value,
                    &format!("'{item}' is not a whole number; expected e.g. 800,200,50,12,4,2,1"),
                )
            })?;
            check_cap(cap, source, value)
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_caps_present(caps, source, value)
}

fn check_cap(cap: i64, source: &Source<'_>, value: &str) -> Result<u32, ConfigError> {
    match u32::try_from(cap) {
        Ok(cap) if cap > 0 => Ok(cap),
        _ => Err(invalid(
            source,
            value,
            &format!(
                "every capacity must be a positive whole number (at most {}), not {cap}",
                u32::MAX
            ),
        )),
    }
}

fn check_caps_present(
    caps: Vec<u32>,
    source: &Source<'_>,
    value: &str,
) -> Result<Vec<u32>, ConfigError> {
    if caps.is_empty() {
        return Err(invalid(source, value, "at least one capacity is needed"));
    }
    Ok(caps)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn file(text: &str) -> Option<ConfigFile<'_>> {
        Some(ConfigFile { path: Path::new("/etc/virgule.toml"), text })
    }

    fn load(
        text: Option<&str>,
        env_pairs: &[(&str, &str)],
        flags: &ConfigFlags,
    ) -> Result<Config, ConfigError> {
        Config::from_layers(text.and_then(file), &env(env_pairs), flags)
    }

    fn err(result: Result<Config, ConfigError>) -> String {
        result.expect_err("the configuration should be refused").0
    }

    #[test]
    fn nothing_set_gives_the_documented_defaults() {
        let config = load(None, &[], &ConfigFlags::default()).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.data_dir, PathBuf::from("./virgule-data"));
        assert_eq!(config.database_url, None);
        assert_eq!(config.site_name, "Virgule");
        assert_eq!(config.base_url, None);
        assert!(!config.secure_cookies);
        assert!(!config.fetch_allow_private);
        assert_eq!(config.fetch_lease, Duration::from_secs(120));
        assert!(config.trust_seeds.is_empty());
        assert_eq!(config.trust_caps, vec![800, 200, 50, 12, 4, 2, 1]);
        assert_eq!(config.recentlog_threshold, TrustLevel::Apprentice);
        assert_eq!(config, Config::default());
    }

    #[test]
    fn flags_override_env_which_overrides_the_file() {
        let text = r#"
            listen = "0.0.0.0:80"
            site_name = "From the file"
            data_dir = "/srv/virgule"
            secure_cookies = true
            trust_caps = [10, 5]
        "#;
        let only_file = load(Some(text), &[], &ConfigFlags::default()).unwrap();
        assert_eq!(only_file.listen.to_string(), "0.0.0.0:80");
        assert_eq!(only_file.site_name, "From the file");
        assert_eq!(only_file.data_dir, PathBuf::from("/srv/virgule"));
        assert!(only_file.secure_cookies);
        assert_eq!(only_file.trust_caps, vec![10, 5]);

        let vars = [
            ("VIRGULE_LISTEN", "127.0.0.1:9000"),
            ("VIRGULE_SITE_NAME", "From the environment"),
            ("VIRGULE_SECURE_COOKIES", "false"),
        ];
        let with_env = load(Some(text), &vars, &ConfigFlags::default()).unwrap();
        assert_eq!(with_env.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(with_env.site_name, "From the environment");
        assert!(!with_env.secure_cookies);
        assert_eq!(with_env.data_dir, PathBuf::from("/srv/virgule"), "the file still counts");

        let flags = ConfigFlags {
            listen: Some("[::1]:8443".into()),
            secure_cookies: Some("true".into()),
            ..ConfigFlags::default()
        };
        let with_flags = load(Some(text), &vars, &flags).unwrap();
        assert_eq!(with_flags.listen.to_string(), "[::1]:8443");
        assert!(with_flags.secure_cookies);
        assert_eq!(with_flags.site_name, "From the environment");
    }

    #[test]
    fn every_setting_is_read_from_the_environment() {
        let config = load(
            None,
            &[
                ("VIRGULE_LISTEN", "0.0.0.0:8081"),
                ("VIRGULE_DATA_DIR", "/var/lib/virgule"),
                ("VIRGULE_DATABASE_URL", "postgres://virgule@db/virgule"),
                ("VIRGULE_SITE_NAME", "  Debian   Diaries "),
                ("VIRGULE_BASE_URL", "https://diaries.example.org/"),
                ("VIRGULE_SECURE_COOKIES", "yes"),
                ("VIRGULE_FETCH_ALLOW_PRIVATE", "1"),
                ("VIRGULE_FETCH_LEASE_SECS", "5"),
                ("VIRGULE_TRUST_SEEDS", " raph, Miguel ,,federico,raph"),
                ("VIRGULE_TRUST_CAPS", "100, 10,1"),
                ("VIRGULE_RECENTLOG_THRESHOLD", "2"),
            ],
            &ConfigFlags::default(),
        )
        .unwrap();
        assert_eq!(config.listen.to_string(), "0.0.0.0:8081");
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/virgule"));
        assert_eq!(config.database_url.as_deref(), Some("postgres://virgule@db/virgule"));
        assert_eq!(config.site_name, "Debian Diaries");
        assert_eq!(config.base_url.as_deref(), Some("https://diaries.example.org"));
        assert!(config.secure_cookies);
        assert!(config.fetch_allow_private);
        assert_eq!(config.syndication().lease, Duration::from_secs(5));
        let seeds: Vec<&str> = config.trust_seeds.iter().map(MemberName::as_str).collect();
        assert_eq!(seeds, ["raph", "miguel", "federico"]);
        assert_eq!(config.trust_caps, vec![100, 10, 1]);
        assert_eq!(config.recentlog_threshold, TrustLevel::Journeyer);
    }

    #[test]
    fn every_setting_is_read_from_the_file() {
        let text = r#"
            listen = "127.0.0.1:3000"
            data_dir = "data"
            database_url = "postgresql://localhost/virgule"
            site_name = "LUG"
            base_url = "http://lug.example.org/virgule/"
            secure_cookies = false
            fetch_allow_private = true
            fetch_lease_secs = 300
            trust_seeds = ["raph", "miguel"]
            trust_caps = [800, 200]
            recentlog_threshold = "Observer"
        "#;
        let config = load(Some(text), &[], &ConfigFlags::default()).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(config.data_dir, PathBuf::from("data"));
        assert_eq!(config.database_url.as_deref(), Some("postgresql://localhost/virgule"));
        assert_eq!(config.site_name, "LUG");
        assert_eq!(config.base_url.as_deref(), Some("http://lug.example.org/virgule"));
        assert!(config.fetch_allow_private);
        assert_eq!(config.fetch_lease, Duration::from_secs(300));
        assert_eq!(config.trust_seeds.len(), 2);
        assert_eq!(config.trust_caps, vec![800, 200]);
        assert_eq!(config.recentlog_threshold, TrustLevel::Observer);
    }

    #[test]
    fn an_empty_value_unsets_an_optional_setting() {
        let text = r#"database_url = "postgres://db/virgule""#;
        let config =
            load(Some(text), &[("VIRGULE_DATABASE_URL", "")], &ConfigFlags::default()).unwrap();
        assert_eq!(config.database_url, None);
    }

    #[test]
    fn unknown_file_keys_are_refused_by_name() {
        let message = err(load(
            Some("listen = \"127.0.0.1:1\"\nlisten_port = 80\n"),
            &[],
            &ConfigFlags::default(),
        ));
        assert!(message.contains("listen_port"), "{message}");
        assert!(message.contains("/etc/virgule.toml"), "{message}");
    }

    #[test]
    fn file_values_of_the_wrong_type_are_refused() {
        let message = err(load(Some("secure_cookies = \"maybe\""), &[], &ConfigFlags::default()));
        assert!(message.contains("secure_cookies"), "{message}");
        let message = err(load(Some("listen = \"localhost\""), &[], &ConfigFlags::default()));
        assert!(message.contains("`listen` in /etc/virgule.toml"), "{message}");
        let message = err(load(Some("trust_caps = [800, 0]"), &[], &ConfigFlags::default()));
        assert!(message.contains("`trust_caps`"), "{message}");
        assert!(message.contains("positive"), "{message}");
    }

    #[test]
    fn bad_values_name_their_variable_or_flag_and_the_value() {
        let message = err(load(None, &[("VIRGULE_LISTEN", "nonsense")], &ConfigFlags::default()));
        assert!(message.contains("VIRGULE_LISTEN") && message.contains("'nonsense'"), "{message}");

        let flags =
            ConfigFlags { listen: Some("127.0.0.1:99999".into()), ..ConfigFlags::default() };
        let message = err(load(None, &[], &flags));
        assert!(message.contains("--listen") && message.contains("127.0.0.1:99999"), "{message}");

        let message =
            err(load(None, &[("VIRGULE_SECURE_COOKIES", "sometimes")], &ConfigFlags::default()));
        assert!(
            message.contains("VIRGULE_SECURE_COOKIES") && message.contains("sometimes"),
            "{message}"
        );

        let flags =
            ConfigFlags { fetch_allow_private: Some("nah".into()), ..ConfigFlags::default() };
        let message = err(load(None, &[], &flags));
        assert!(message.contains("--fetch-allow-private"), "{message}");

        for secs in ["0", "-5", "2.5", "86401", "soon"] {
            let message =
                err(load(None, &[("VIRGULE_FETCH_LEASE_SECS", secs)], &ConfigFlags::default()));
            assert!(message.contains("VIRGULE_FETCH_LEASE_SECS"), "{secs}: {message}");
        }

        for caps in ["800,-1", "800,,1", "", "a,b", "0", "99999999999"] {
            let message = err(load(None, &[("VIRGULE_TRUST_CAPS", caps)], &ConfigFlags::default()));
            assert!(message.contains("VIRGULE_TRUST_CAPS"), "{caps}: {message}");
        }

        let message =
            err(load(None, &[("VIRGULE_TRUST_SEEDS", "raph,Bad Name")], &ConfigFlags::default()));
        assert!(
            message.contains("VIRGULE_TRUST_SEEDS") && message.contains("Bad Name"),
            "{message}"
        );

        let message = err(load(None, &[("VIRGULE_SITE_NAME", "   ")], &ConfigFlags::default()));
        assert!(message.contains("VIRGULE_SITE_NAME"), "{message}");

        let message =
            err(load(None, &[("VIRGULE_BASE_URL", "ftp://example.org")], &ConfigFlags::default()));
        assert!(message.contains("VIRGULE_BASE_URL"), "{message}");
        let message =
            err(load(None, &[("VIRGULE_BASE_URL", "example.org")], &ConfigFlags::default()));
        assert!(message.contains("VIRGULE_BASE_URL"), "{message}");

        for level in ["4", "grandmaster", ""] {
            let flags =
                ConfigFlags { recentlog_threshold: Some(level.into()), ..ConfigFlags::default() };
            let message = err(load(None, &[], &flags));
            assert!(
                message.contains("--recentlog-threshold") && message.contains("journeyer"),
                "{level}: {message}"
            );
        }
    }

    #[test]
    fn only_postgres_urls_select_a_database_and_passwords_stay_out_of_messages() {
        let flags = ConfigFlags {
            database_url: Some("mysql://root:hunter2@db/virgule".into()),
            ..ConfigFlags::default()
        };
        let message = err(load(None, &[], &flags));
        assert!(message.contains("--database-url") && message.contains("'mysql'"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");

        let config = load(
            None,
            &[("VIRGULE_DATABASE_URL", "postgres://u:hunter2@db/v")],
            &ConfigFlags::default(),
        )
        .unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn the_config_file_comes_from_the_flag_then_the_environment() {
        let vars = env(&[("VIRGULE_CONFIG", "/etc/from-env.toml")]);
        assert_eq!(
            config_path(&ConfigFlags::default(), &vars),
            Some(PathBuf::from("/etc/from-env.toml"))
        );
        let flags =
            ConfigFlags { config: Some(PathBuf::from("mine.toml")), ..ConfigFlags::default() };
        assert_eq!(config_path(&flags, &vars), Some(PathBuf::from("mine.toml")));
        assert_eq!(config_path(&ConfigFlags::default(), &env(&[])), None);
    }

    #[test]
    fn misspelt_variables_are_noticed() {
        let vars = env(&[
            ("VIRGULE_LISTEN", "x"),
            ("VIRGULE_LISTEN_ADDR", "x"),
            ("VIRGULE_CONFIG", "x"),
            ("VIRGULE_TEST_DATABASE_URL", "x"),
            ("HOME", "/root"),
        ]);
        assert_eq!(unknown_env_vars(&vars), vec!["VIRGULE_LISTEN_ADDR".to_string()]);
    }
}

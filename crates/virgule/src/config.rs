//! The site's one configuration struct, layered from a TOML file, then `VIRGULE_*` environment
//! variables, then command-line flags; pure functions, so every rule is tested without I/O.
//!
//! Every setting is declared once, in the `settings!` table below: its field in [`Config`],
//! its file key, variable and flag, how the file writes it, its parser, its default and its
//! help line. The flags clap shows, the keys the file may hold, the layering and the messages
//! that name where a bad value came from all follow from that table. Adding a setting is one
//! entry there (and a `parse_*` function if none fits) plus the code that uses it.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use virgule_store::{MemberName, TrustLevel};

settings! {
    /// Where `serve` accepts HTTP connections.
    listen: SocketAddr {
        key: listen, env: "VIRGULE_LISTEN", flag: "--listen", value_name: "ADDR",
        file: Text, parse: parse_listen, default: "127.0.0.1:8080",
        help: "Address and port to serve on",
    }
    /// Holds the SQLite file (unless `database_url` is set).
    data_dir: PathBuf {
        key: data_dir, env: "VIRGULE_DATA_DIR", flag: "--data-dir", value_name: "DIR",
        file: Text, parse: parse_data_dir, default: "./virgule-data",
        help: "Directory that holds the SQLite database",
    }
    /// A `postgres://` URL: use PostgreSQL instead of SQLite. It may hold a password, so
    /// `Debug` shows only whether it is set.
    database_url: Option<String> {
        key: database_url, env: "VIRGULE_DATABASE_URL", flag: "--database-url", value_name: "URL",
        file: Text, parse: parse_database_url, default: "",
        help: "A postgres:// URL: use PostgreSQL instead of SQLite",
        secret
    }
    /// Shown in page headers and feed titles.
    site_name: String {
        key: site_name, env: "VIRGULE_SITE_NAME", flag: "--site-name", value_name: "NAME",
        file: Text, parse: parse_site_name, default: virgule_web::WebConfig::default().site_name,
        help: "The site's name in page headers and feeds",
    }
    /// The public address of the site, without a trailing slash.
    base_url: Option<String> {
        key: base_url, env: "VIRGULE_BASE_URL", flag: "--base-url", value_name: "URL",
        file: Text, parse: parse_base_url, default: "",
        help: "The site's public address, for absolute links",
    }
    /// Mark session cookies `Secure` (the site is served over HTTPS).
    secure_cookies: bool {
        key: secure_cookies, env: "VIRGULE_SECURE_COOKIES", flag: "--secure-cookies",
        value_name: "BOOL", file: Bool, parse: parse_bool, default: false,
        help: "Mark session cookies Secure (behind TLS)",
    }
    /// Let members' feeds point at loopback and private addresses (tests, closed networks).
    fetch_allow_private: bool {
        key: fetch_allow_private, env: "VIRGULE_FETCH_ALLOW_PRIVATE",
        flag: "--fetch-allow-private", value_name: "BOOL",
        file: Bool, parse: parse_bool, default: false,
        help: "Allow feed fetches to private addresses",
    }
    /// How long a fetcher's claim on a feed lasts: a worker that dies holding claims loses
    /// them after this, and another worker fetches those feeds.
    fetch_lease: Duration {
        key: fetch_lease_secs, env: "VIRGULE_FETCH_LEASE_SECS", flag: "--fetch-lease-secs",
        value_name: "SECONDS", file: Integer, parse: parse_lease,
        default: virgule_syndication::DEFAULT_LEASE.as_secs(),
        help: "Seconds a fetcher's claim on a feed lasts; a crashed worker's feeds are fetched \
               by others after it",
    }
    /// The client networks allowed to read `/metrics`; empty: nobody.
    metrics_allow: virgule_web::metrics::MetricsAccess {
        key: metrics_allow, env: "VIRGULE_METRICS_ALLOW", flag: "--metrics-allow",
        value_name: "NETWORKS", file: Texts, parse: parse_metrics_allow,
        default: virgule_web::metrics::MetricsAccess::default(),
        help: "Comma-separated client networks (10.0.0.0/8) or addresses allowed to read \
               /metrics; empty for nobody",
    }
    /// The accounts the trust metric starts from.
    trust_seeds: Vec<MemberName> {
        key: trust_seeds, env: "VIRGULE_TRUST_SEEDS", flag: "--trust-seeds", value_name: "NAMES",
        file: Texts, parse: parse_seed_list, default: "",
        help: "Comma-separated names the trust metric starts from",
    }
    /// The trust metric's node capacities by distance from the seeds.
    trust_caps: Vec<u32> {
        key: trust_caps, env: "VIRGULE_TRUST_CAPS", flag: "--trust-caps", value_name: "CAPS",
        file: Integers, parse: parse_caps, default: comma_list(&virgule_trust::DEFAULT_CAPS),
        help: "Comma-separated trust capacities",
    }
    /// Whether the trust metric's root and seed capacities grow with the site.
    trust_capacity: virgule_trust::CapacityMode {
        key: trust_capacity, env: "VIRGULE_TRUST_CAPACITY", flag: "--trust-capacity",
        value_name: "MODE", file: Text, parse: parse_capacity_mode,
        default: virgule_trust::CapacityMode::default().as_str(),
        help: "growing: the trust metric's root and seed capacities grow with the number of \
               certified members (twice it, at least trust_caps); fixed: trust_caps as given",
    }
    /// The lowest level whose entries the recent log shows by default.
    recentlog_threshold: TrustLevel {
        key: recentlog_threshold, env: "VIRGULE_RECENTLOG_THRESHOLD",
        flag: "--recentlog-threshold", value_name: "LEVEL",
        file: Text, parse: parse_threshold,
        default: virgule_site::SiteSettings::default().recentlog_threshold.key(),
        help: "Lowest level the recent log shows by default: observer (0), apprentice (1), \
               journeyer (2) or master (3)",
    }
    /// The lowest level that may post front-page articles.
    article_gate: TrustLevel {
        key: article_gate, env: "VIRGULE_ARTICLE_GATE",
        flag: "--article-gate", value_name: "LEVEL",
        file: Text, parse: parse_threshold,
        default: virgule_site::SiteSettings::default().article_gate.key(),
        help: "Lowest level that may post front-page articles: observer (0) to master (3)",
    }
    /// The lowest level that may reply to articles and diary entries.
    reply_gate: TrustLevel {
        key: reply_gate, env: "VIRGULE_REPLY_GATE",
        flag: "--reply-gate", value_name: "LEVEL",
        file: Text, parse: parse_threshold,
        default: virgule_site::SiteSettings::default().reply_gate.key(),
        help: "Lowest level that may reply to articles and diary entries: observer (0) to \
               master (3)",
    }
    /// Memory for rendered pages kept for anonymous readers, in MiB; 0 turns the cache off.
    page_cache_mib: usize {
        key: page_cache_mib, env: "VIRGULE_PAGE_CACHE_MIB",
        flag: "--page-cache-mib", value_name: "MIB",
        file: Integer, parse: parse_page_cache_mib,
        default: virgule_web::page_cache::DEFAULT_BUDGET_BYTES / (1024 * 1024),
        help: "MiB of rendered pages kept in memory for anonymous readers; 0 turns the cache \
               off (0 to 65536)",
    }
    /// How long a reader's search may take: past it, the search is stopped and the reader
    /// asked to narrow it, rather than holding a database connection.
    search_budget: Duration {
        key: search_budget_ms, env: "VIRGULE_SEARCH_BUDGET_MS", flag: "--search-budget-ms",
        value_name: "MS", file: Integer, parse: parse_search_budget,
        default: virgule_store::SEARCH_BUDGET.as_millis(),
        help: "Milliseconds a reader's search may take before it is stopped and the reader \
               asked to narrow it (10 to 600000)",
    }
    /// What the spam flags of an item must weigh to hide it from the shared pages.
    spam_threshold: i64 {
        key: spam_threshold, env: "VIRGULE_SPAM_THRESHOLD",
        flag: "--spam-threshold", value_name: "WEIGHT",
        file: Integer, parse: parse_spam_threshold,
        default: virgule_site::SiteSettings::default().spam_threshold,
        help: "What spam flags must weigh to hide an item (Apprentice 1, Journeyer 2, Master 3 \
               per flag): 1 to 1000",
    }
}

/// The environment variable that names the configuration file (like `--config`).
pub const CONFIG_ENV: &str = "VIRGULE_CONFIG";

/// Writes the `Config` struct, the `ConfigFlags` struct and the `SETTINGS` table, and fills
/// `Config` from the layers, all from one entry per setting. `file` is a `Shape`; `parse`
/// reads the text form (what the environment and flags hold) into the field's type; `default`
/// is in that text form too (anything `Display`), parsed like any other value and shown in
/// `--help`, where an empty default is not shown; a trailing `secret` keeps the value out of
/// `Debug`.
macro_rules! settings {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident: $type:ty {
            key: $key:ident, env: $env:literal, flag: $flag:literal, value_name: $value_name:literal,
            file: $shape:ident, parse: $parse:path, default: $default:expr,
            help: $help:literal, $($secret:ident)?
        }
    )*) => {
        /// Everything the binary needs to know, validated once at start and passed down.
        #[derive(Clone, PartialEq)]
        pub struct Config {
            $( $(#[doc = $doc])* pub $field: $type, )*
        }

        /// Written so that a secret (a password inside `database_url`) never reaches a log.
        impl fmt::Debug for Config {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct("Config")
                    $( .field(stringify!($field), shown!($($secret)? self.$field)) )*
                    .finish()
            }
        }

        /// The configuration flags every command accepts (before or after the command's
        /// name), one per setting, named by its key. Values stay text here so that a bad one is
        /// reported like a bad file or environment value.
        #[derive(Debug, Clone, Default)]
        pub struct ConfigFlags {
            /// `--config FILE`: read settings from this TOML file.
            pub config: Option<PathBuf>,
            $( pub $key: Option<String>, )*
        }

        /// Every setting, in the order `--help` lists them.
        const SETTINGS: &[Setting] = &[$(
            Setting {
                key: stringify!($key),
                env: $env,
                flag: $flag,
                value_name: $value_name,
                file: Shape::$shape,
                default: || $default.to_string(),
                help: $help,
                in_flags: |flags| &flags.$key,
                in_flags_mut: |flags| &mut flags.$key,
            },
        )*];

        /// The keys a file may hold, for the message that refuses any other.
        const FILE_KEYS: &[&str] = &[$( stringify!($key) ),*];

        impl Config {
            /// Builds the configuration from its three layers, each overriding the one before:
            /// the file (if any), the environment (`VIRGULE_*`), the flags. Every value is
            /// checked, also one a later layer overrides; the first bad one is reported with
            /// where it came from.
            pub fn from_layers(
                file: Option<ConfigFile<'_>>,
                env: &HashMap<String, String>,
                flags: &ConfigFlags,
            ) -> Result<Config, ConfigError> {
                let layers = Layers::new(file, env, flags)?;
                Ok(Config { $( $field: layers.value(stringify!($key), $parse)?, )* })
            }
        }
    };
}
use settings;

/// How `Config`'s `Debug` shows a field: as it is, or for a secret only whether it is set.
macro_rules! shown {
    (secret $value:expr) => {
        &$value.as_ref().map(|_| "<set>")
    };
    ($value:expr) => {
        &$value
    };
}
use shown;

/// Every setting at its default.
impl Default for Config {
    fn default() -> Self {
        Config::from_layers(None, &HashMap::new(), &ConfigFlags::default())
            .expect("every default passes its setting's parser (tested)")
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

/// A bad setting, with where it came from; the binary exits with status 2 on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// One setting as the `settings!` table declares it, apart from its type and parser.
struct Setting {
    /// The file key, and the `ConfigFlags` field and clap id of its flag.
    key: &'static str,
    env: &'static str,
    flag: &'static str,
    value_name: &'static str,
    file: Shape,
    default: fn() -> String,
    help: &'static str,
    in_flags: fn(&ConfigFlags) -> &Option<String>,
    in_flags_mut: fn(&mut ConfigFlags) -> &mut Option<String>,
}

impl Setting {
    fn by_key(key: &str) -> &'static Setting {
        SETTINGS
            .iter()
            .find(|s| s.key == key)
            .expect("the settings! table declares every key it uses")
    }

    /// The flag clap parses, global so that it goes before or after the command's name.
    fn flag_arg(&self) -> clap::Arg {
        let default = (self.default)();
        let default =
            if default.is_empty() { String::new() } else { format!(" [default: {default}]") };
        let arg = clap::Arg::new(self.key)
            .long(self.flag.trim_start_matches("--"))
            .global(true)
            .value_name(self.value_name)
            .value_parser(clap::value_parser!(String))
            .help(format!("{} [env: {}]{default}", self.help, self.env));
        match self.file {
            // `--secure-cookies` alone means true; a value needs `=`, so that the flag does
            // not swallow the command's name.
            Shape::Bool => arg.num_args(0..=1).require_equals(true).default_missing_value("true"),
            _ => arg,
        }
    }
}

impl clap::Args for ConfigFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let config = clap::Arg::new("config")
            .long("config")
            .global(true)
            .value_name("FILE")
            .value_parser(clap::value_parser!(PathBuf))
            .help(format!("Read settings from this TOML file [env: {CONFIG_ENV}]"));
        let cmd = cmd.next_help_heading("Settings (every command)").arg(config);
        SETTINGS.iter().fold(cmd, |cmd, setting| cmd.arg(setting.flag_arg()))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl clap::FromArgMatches for ConfigFlags {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = ConfigFlags::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        if let Some(path) = matches.get_one::<PathBuf>("config") {
            self.config = Some(path.clone());
        }
        for setting in SETTINGS {
            if let Some(value) = matches.get_one::<String>(setting.key) {
                *(setting.in_flags_mut)(self) = Some(value.clone());
            }
        }
        Ok(())
    }
}

/// How the file writes a setting. A file value is turned into the text the environment would
/// hold (a list joined with commas), so that one parser serves every layer; the file's types
/// stay strict: `secure_cookies = "yes"` or `trust_caps = "800,200"` is refused.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// A TOML string.
    Text,
    /// `true` or `false`; also a flag that may stand alone.
    Bool,
    /// A TOML integer.
    Integer,
    /// An array of strings (comma-separated elsewhere).
    Texts,
    /// An array of integers (comma-separated elsewhere).
    Integers,
}

impl Shape {
    fn to_text(self, value: &toml::Value, source: &Source<'_>) -> Result<String, ConfigError> {
        use toml::Value;
        let joined = |items: &[Value], item: fn(&Value) -> Option<String>| {
            items.iter().map(item).collect::<Option<Vec<_>>>().map(|items| items.join(","))
        };
        let text = match (self, value) {
            (Shape::Text, Value::String(text)) => Some(text.clone()),
            (Shape::Bool, Value::Boolean(on)) => Some(on.to_string()),
            (Shape::Integer, Value::Integer(n)) => Some(n.to_string()),
            (Shape::Texts, Value::Array(items)) => joined(items, |item| {
                item.as_str().filter(|text| !text.contains(',')).map(str::to_owned)
            }),
            (Shape::Integers, Value::Array(items)) => {
                joined(items, |item| item.as_integer().map(|n| n.to_string()))
            }
            _ => None,
        };
        text.ok_or_else(|| invalid(source, &value.to_string(), self.expected()))
    }

    fn expected(self) -> &'static str {
        match self {
            Shape::Text => "expected a string in quotes",
            Shape::Bool => "expected true or false",
            Shape::Integer => "expected a whole number",
            Shape::Texts => "expected an array of strings without commas, such as [\"a\", \"b\"]",
            Shape::Integers => "expected an array of whole numbers, such as [10, 5, 1]",
        }
    }
}

/// A file key that names a setting. Any other is refused (with its line) by the TOML reader,
/// so that a typo does not pass silently.
#[derive(Debug, PartialEq, Eq, Hash)]
struct FileKey(&'static str);

impl<'de> serde::Deserialize<'de> for FileKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        match FILE_KEYS.iter().find(|known| **known == key) {
            Some(known) => Ok(FileKey(known)),
            None => Err(serde::de::Error::unknown_field(&key, FILE_KEYS)),
        }
    }
}

/// The three layers as text, before parsing: the file's values, the environment, the flags.
struct Layers<'a> {
    file: Option<(&'a Path, HashMap<&'static str, String>)>,
    env: &'a HashMap<String, String>,
    flags: &'a ConfigFlags,
}

impl<'a> Layers<'a> {
    fn new(
        file: Option<ConfigFile<'a>>,
        env: &'a HashMap<String, String>,
        flags: &'a ConfigFlags,
    ) -> Result<Self, ConfigError> {
        let file = match file {
            Some(file) => Some((file.path, file_texts(file)?)),
            None => None,
        };
        Ok(Layers { file, env, flags })
    }

    /// The setting's default, overridden by each layer that has a value for it; every one of
    /// those values must parse.
    fn value<T>(
        &self,
        key: &str,
        parse: impl Fn(&str, &Source<'_>) -> Result<T, ConfigError>,
    ) -> Result<T, ConfigError> {
        let setting = Setting::by_key(key);
        let file = self.file.as_ref().and_then(|(path, texts)| {
            let text = texts.get(setting.key)?;
            Some((text.as_str(), Source::File { path, key: setting.key }))
        });
        let env = self.env.get(setting.env).map(|text| (text.as_str(), Source::Env(setting.env)));
        let flag = (setting.in_flags)(self.flags)
            .as_deref()
            .map(|text| (text, Source::Flag(setting.flag)));
        let mut value = parse(&(setting.default)(), &Source::Default(setting.key))?;
        for (text, source) in [file, env, flag].into_iter().flatten() {
            value = parse(text, &source)?;
        }
        Ok(value)
    }
}

/// The file's settings, each as the text its parser reads.
fn file_texts(file: ConfigFile<'_>) -> Result<HashMap<&'static str, String>, ConfigError> {
    let table: HashMap<FileKey, toml::Value> = toml::from_str(file.text).map_err(|e| {
        ConfigError(format!(
            "invalid config file {}: {}",
            file.path.display(),
            e.to_string().trim_end()
        ))
    })?;
    // In the table's order, so that of two bad values the same one is always reported.
    let mut texts = HashMap::new();
    for setting in SETTINGS {
        if let Some(value) = table.get(&FileKey(setting.key)) {
            let source = Source::File { path: file.path, key: setting.key };
            texts.insert(setting.key, setting.file.to_text(value, &source)?);
        }
    }
    Ok(texts)
}

/// Where a value came from, as an error message names it.
#[derive(Debug, Clone)]
enum Source<'a> {
    File {
        path: &'a Path,
        key: &'static str,
    },
    Env(&'static str),
    Flag(&'static str),
    /// Only a mistake in the `settings!` table reaches a message with this.
    Default(&'static str),
}

impl fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File { path, key } => write!(f, "`{key}` in {}", path.display()),
            Source::Env(var) => f.write_str(var),
            Source::Flag(flag) => f.write_str(flag),
            Source::Default(key) => write!(f, "the default of `{key}`"),
        }
    }
}

fn invalid(source: &Source<'_>, value: &str, why: &str) -> ConfigError {
    ConfigError(format!("invalid value '{value}' for {source}: {why}"))
}

/// Items as the environment and flags write a list: `800,200,50`.
fn comma_list(items: &[impl fmt::Display]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
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

/// Names separated by commas; blanks around them, empty items and repeats are ignored.
fn parse_seed_list(value: &str, source: &Source<'_>) -> Result<Vec<MemberName>, ConfigError> {
    let mut seeds: Vec<MemberName> = Vec::new();
    for raw in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let name = MemberName::parse(raw).map_err(|e| invalid(source, raw, &e.to_string()))?;
        if !seeds.contains(&name) {
            seeds.push(name);
        }
    }
    Ok(seeds)
}

/// Networks and addresses separated by commas; empty means nobody.
fn parse_metrics_allow(
    value: &str,
    source: &Source<'_>,
) -> Result<virgule_web::metrics::MetricsAccess, ConfigError> {
    value.parse().map_err(|why: String| invalid(source, value, &why))
}

/// Whole seconds, 1 to a day.
fn parse_lease(value: &str, source: &Source<'_>) -> Result<Duration, ConfigError> {
    match value.trim().parse::<u64>() {
        Ok(secs @ 1..=86_400) => Ok(Duration::from_secs(secs)),
        _ => Err(invalid(source, value, "expected whole seconds from 1 to 86400, e.g. 120")),
    }
}

/// A spam threshold: a whole weight from 1 to 1000.
fn parse_spam_threshold(value: &str, source: &Source<'_>) -> Result<i64, ConfigError> {
    match value.trim().parse::<i64>() {
        Ok(w @ 1..=1000) => Ok(w),
        _ => Err(invalid(source, value, "expected a whole weight from 1 to 1000, e.g. 3")),
    }
}

/// Whole milliseconds, a hundredth of a second to ten minutes.
fn parse_search_budget(value: &str, source: &Source<'_>) -> Result<Duration, ConfigError> {
    match value.trim().parse::<u64>() {
        Ok(ms @ 10..=600_000) => Ok(Duration::from_millis(ms)),
        _ => {
            Err(invalid(source, value, "expected whole milliseconds from 10 to 600000, e.g. 3000"))
        }
    }
}

fn parse_page_cache_mib(value: &str, source: &Source<'_>) -> Result<usize, ConfigError> {
    match value.trim().parse::<usize>() {
        Ok(mib @ 0..=65536) => Ok(mib),
        _ => Err(invalid(source, value, "expected a whole number of MiB from 0 to 65536, e.g. 64")),
    }
}

/// A level by name (any case) or by rank, as `?thresh=` spells it: `apprentice` or `1`.
fn parse_capacity_mode(
    value: &str,
    source: &Source<'_>,
) -> Result<virgule_trust::CapacityMode, ConfigError> {
    value.parse().map_err(|_| invalid(source, value, "expected growing or fixed"))
}

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

/// Positive whole numbers separated by commas, at least one.
fn parse_caps(value: &str, source: &Source<'_>) -> Result<Vec<u32>, ConfigError> {
    if value.trim().is_empty() {
        return Err(invalid(source, value, "at least one capacity is needed"));
    }
    value
        .split(',')
        .map(|item| {
            let item = item.trim();
            let cap: i64 = item.parse().map_err(|_| {
                let example = comma_list(&virgule_trust::DEFAULT_CAPS);
                let why = format!("'{item}' is not a whole number; expected e.g. {example}");
                invalid(source, value, &why)
            })?;
            match u32::try_from(cap) {
                Ok(cap) if cap > 0 => Ok(cap),
                _ => {
                    let max = u32::MAX;
                    let why = format!(
                        "every capacity must be a positive whole number (at most {max}), not {cap}"
                    );
                    Err(invalid(source, value, &why))
                }
            }
        })
        .collect()
}

// What each part of the program gets from the configuration.
impl Config {
    /// The web layer's part.
    pub fn web(&self) -> virgule_web::WebConfig {
        virgule_web::WebConfig {
            site_name: self.site_name.clone(),
            base_url: self.base_url.clone(),
            secure_cookies: self.secure_cookies,
            page_cache_bytes: self.page_cache_mib * 1024 * 1024,
            metrics_allow: self.metrics_allow.clone(),
        }
    }

    /// The site's own settings: the recent log's default threshold and the trust metric's.
    pub fn site(&self) -> virgule_site::SiteSettings {
        virgule_site::SiteSettings {
            recentlog_threshold: self.recentlog_threshold,
            trust: virgule_site::TrustSettings {
                seeds: self.trust_seeds.clone(),
                caps: self.trust_caps.clone(),
                capacity: self.trust_capacity,
            },
            article_gate: self.article_gate,
            reply_gate: self.reply_gate,
            spam_threshold: self.spam_threshold,
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
        assert_eq!(config.trust_capacity, virgule_trust::CapacityMode::Growing);
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
                ("VIRGULE_TRUST_CAPACITY", " Fixed"),
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
        assert_eq!(config.trust_capacity, virgule_trust::CapacityMode::Fixed);
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
    fn metrics_are_for_this_machine_unless_networks_are_named() {
        use virgule_web::metrics::MetricsAccess;
        let config = load(None, &[], &ConfigFlags::default()).unwrap();
        assert_eq!(config.metrics_allow, MetricsAccess::loopback());
        let text = r#"metrics_allow = ["10.0.0.0/8", "fd00::/8"]"#;
        let config = load(Some(text), &[], &ConfigFlags::default()).unwrap();
        assert_eq!(config.web().metrics_allow.to_string(), "10.0.0.0/8,fd00::/8");
        let config =
            load(Some(text), &[("VIRGULE_METRICS_ALLOW", "")], &ConfigFlags::default()).unwrap();
        assert_eq!(config.metrics_allow, MetricsAccess::nobody());
        let message =
            err(load(None, &[("VIRGULE_METRICS_ALLOW", "prometheus")], &ConfigFlags::default()));
        assert!(message.contains("VIRGULE_METRICS_ALLOW"), "{message}");
        assert!(message.contains("'prometheus' is not an IP address"), "{message}");
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

        for ms in ["0", "9", "600001", "3s", ""] {
            let message =
                err(load(None, &[("VIRGULE_SEARCH_BUDGET_MS", ms)], &ConfigFlags::default()));
            assert!(message.contains("VIRGULE_SEARCH_BUDGET_MS"), "{ms}: {message}");
        }
        let budget = load(None, &[("VIRGULE_SEARCH_BUDGET_MS", "750")], &ConfigFlags::default());
        assert_eq!(budget.unwrap().search_budget, Duration::from_millis(750));

        for caps in ["800,-1", "800,,1", "", "a,b", "0", "99999999999"] {
            let message = err(load(None, &[("VIRGULE_TRUST_CAPS", caps)], &ConfigFlags::default()));
            assert!(message.contains("VIRGULE_TRUST_CAPS"), "{caps}: {message}");
        }

        let message =
            err(load(None, &[("VIRGULE_TRUST_CAPACITY", "elastic")], &ConfigFlags::default()));
        assert!(
            message.contains("VIRGULE_TRUST_CAPACITY") && message.contains("growing or fixed"),
            "{message}"
        );

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

    #[test]
    fn every_setting_is_named_by_its_key() {
        for setting in SETTINGS {
            assert_eq!(setting.env, format!("VIRGULE_{}", setting.key.to_ascii_uppercase()));
            assert_eq!(setting.flag, format!("--{}", setting.key.replace('_', "-")));
        }
    }

    #[test]
    fn defaults_another_crate_owns_come_from_it() {
        let config = Config::default();
        assert_eq!(config.trust_caps, virgule_trust::DEFAULT_CAPS);
        assert_eq!(config.fetch_lease, virgule_syndication::Settings::default().lease);
    }

    #[test]
    fn the_readme_documents_every_setting_and_its_default() {
        let readme = include_str!("../../../README.md");
        for setting in SETTINGS {
            let row = format!("| `{}` | `{}` | `{}", setting.key, setting.env, setting.flag);
            let line = readme.lines().find(|line| line.starts_with(&row));
            let line = line.unwrap_or_else(|| panic!("the README has no row {row}"));
            let cell = line.split(" | ").nth(3).unwrap();
            match (setting.default)() {
                none if none.is_empty() => assert!(cell.starts_with("(none"), "{line}"),
                default => assert_eq!(cell, format!("`{default}`"), "{line}"),
            }
        }
    }

    #[test]
    fn file_values_keep_their_toml_types() {
        for text in [
            "secure_cookies = \"yes\"",
            "fetch_lease_secs = \"300\"",
            "listen = 8080",
            "trust_caps = \"800,200\"",
            "trust_caps = [800, \"200\"]",
            "trust_seeds = \"raph\"",
            "trust_seeds = [\"raph,miguel\"]",
        ] {
            let key = text.split(' ').next().unwrap();
            let message = err(load(Some(text), &[], &ConfigFlags::default()));
            assert!(message.contains(&format!("`{key}` in /etc/virgule.toml")), "{message}");
        }
    }

    #[test]
    fn help_shows_every_flag_with_its_variable_and_default() {
        use clap::Args;
        let mut cmd = ConfigFlags::augment_args(clap::Command::new("virgule"));
        let help = cmd.render_help().to_string();
        for setting in SETTINGS {
            assert!(help.contains(setting.flag), "{help}");
            assert!(help.contains(&format!("[env: {}]", setting.env)), "{help}");
        }
        assert!(help.contains("--secure-cookies[=<BOOL>]"), "{help}");
        assert!(help.contains("[default: 800,200,50,12,4,2,1]"), "{help}");
        assert!(!help.contains("[default: ]"), "{help}");
    }
}

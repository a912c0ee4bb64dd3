//! Certification levels: what a certification asserts and what the metric hands back, so the
//! metric, the export format and the site all spell a level the same way.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// A trust level, ordered: a certification at level L counts at every level up to L. The one
/// level type of the whole site: the store keeps a member's computed level as its rank, and
/// with the `serde` feature it serializes as its lower-case [`Level::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Level {
    /// No certification (as a certification: a withdrawal).
    #[default]
    Observer = 0,
    Apprentice = 1,
    Journeyer = 2,
    Master = 3,
}

/// A level name that is none of the four.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown level {0:?} (expected Observer, Apprentice, Journeyer or Master)")]
pub struct UnknownLevel(pub String);

impl Level {
    /// The three levels the metric runs a flow for, lowest first.
    pub const CERTIFIED: [Level; 3] = [Level::Apprentice, Level::Journeyer, Level::Master];

    /// Parses a level name, ignoring ASCII case and surrounding whitespace.
    pub fn parse(text: &str) -> Result<Level, UnknownLevel> {
        let name = text.trim();
        [Level::Observer, Level::Apprentice, Level::Journeyer, Level::Master]
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownLevel(name.to_owned()))
    }

    /// The level's display name, as mod_virgule wrote it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Observer => "Observer",
            Level::Apprentice => "Apprentice",
            Level::Journeyer => "Journeyer",
            Level::Master => "Master",
        }
    }

    /// The lower-case word the JSON API uses: `observer`, `apprentice`, `journeyer`, `master`.
    pub fn key(self) -> &'static str {
        match self {
            Level::Observer => "observer",
            Level::Apprentice => "apprentice",
            Level::Journeyer => "journeyer",
            Level::Master => "master",
        }
    }

    /// The level's number, 0 (Observer) to 3 (Master).
    pub fn rank(self) -> u8 {
        self as u8
    }

    /// The level of a number; `None` outside 0–3.
    pub fn from_rank(rank: u8) -> Option<Level> {
        [Level::Observer, Level::Apprentice, Level::Journeyer, Level::Master]
            .get(usize::from(rank))
            .copied()
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_ignores_case_and_round_trips_display() {
        assert_eq!(Level::parse("master"), Ok(Level::Master));
        assert_eq!(Level::parse("JOURNEYER"), Ok(Level::Journeyer));
        assert_eq!(Level::parse(" Apprentice "), Ok(Level::Apprentice));
        assert_eq!(Level::parse("observer"), Ok(Level::Observer));
        for level in [Level::Observer, Level::Apprentice, Level::Journeyer, Level::Master] {
            assert_eq!(Level::parse(&level.to_string()), Ok(level));
        }
        assert_eq!(Level::Journeyer.to_string(), "Journeyer");
        assert_eq!(Level::Master.rank(), 3);
        assert_eq!(Level::Journeyer.key(), "journeyer");
        for rank in 0..=3 {
            assert_eq!(Level::from_rank(rank).map(Level::rank), Some(rank));
        }
        assert_eq!(Level::from_rank(4), None);
    }

    #[test]
    fn parse_rejects_other_words() {
        assert_eq!(Level::parse("Grandmaster"), Err(UnknownLevel("Grandmaster".into())));
        assert!(Level::parse("").is_err());
        assert!(Level::Apprentice < Level::Master);
    }
}

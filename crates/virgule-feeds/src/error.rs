//! The one error type of this crate: why a feed was refused, in words a feed's owner can read.

/// Why a feed could not be turned into entries. The messages are meant for the feed's owner
/// (shown as the feed's last error), so they say what is wrong, not where in our code.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The body is larger than the cap.
    #[error("the feed is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    /// A DTD declares entities (the "billion laughs" family of attacks).
    #[error("the feed declares XML entities, which are not accepted")]
    DeclaresEntities,
    /// Elements nest deeper than the limit.
    #[error("the feed's elements nest more than {limit} levels deep, which is not accepted")]
    TooDeep { limit: usize },
    /// The document is not a feed we can read (bad XML or JSON, unknown root, …).
    #[error("the feed could not be read: {0}")]
    Unreadable(String),
}

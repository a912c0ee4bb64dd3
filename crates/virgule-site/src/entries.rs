//! Diary entries: writing, editing and deleting one's own, and finding anyone's.

use virgule_store::{Entry, EntryDraft, EntryNumber, Member, StoreError};

use crate::error::{SiteError, SiteResult};
use crate::{Site, rules};

/// What a member sends to write or rewrite an entry, as typed.
#[derive(Debug, Clone, Copy)]
pub struct EntryText<'a> {
    pub title: &'a str,
    pub body: &'a str,
    /// `markdown` or `html`.
    pub format: &'a str,
    pub tags: &'a [String],
}

fn no_entry(author: &str, number: impl std::fmt::Display) -> SiteError {
    SiteError::not_found(format!("{author} has no entry {number}"))
}

impl Site {
    /// Writes a new entry in `author`'s diary; it takes the next number.
    pub async fn post_entry(&self, author: &Member, text: EntryText<'_>) -> SiteResult<Entry> {
        let draft = self.draft(text).await?;
        let entry = self.store.create_entry(author.id, &draft, virgule_store::now()).await?;
        tracing::info!(member = %author.name, number = entry.number, "entry posted");
        Ok(entry)
    }

    /// The entry as it would be stored, for a preview: the same rules as posting, shortcuts
    /// linked.
    pub async fn draft(&self, text: EntryText<'_>) -> SiteResult<EntryDraft> {
        let known = self.shortcut_links(text.body).await?;
        rules::entry(text.title, text.body, text.format, text.tags, &known)
    }

    /// The entry `number` of the diary named `author` (as written in an address): 404 if the
    /// member or the entry does not exist.
    pub async fn entry(&self, author: &str, number: &str) -> SiteResult<Entry> {
        let name =
            virgule_store::MemberName::parse(author).map_err(|_| no_entry(author, number))?;
        let number = rules::entry_number(number).ok_or_else(|| no_entry(author, number))?;
        self.store.entry_by_number(&name, number).await?.ok_or_else(|| no_entry(author, number))
    }

    /// The entry `number` of `actor`'s own diary, with the text its author typed (for the
    /// edit form); 404 if the actor has no such entry (another member's entries are not
    /// theirs to reach, so they are "not found" too).
    pub async fn own_entry_source(
        &self,
        actor: &Member,
        number: &str,
    ) -> SiteResult<(Entry, String)> {
        let missing = || SiteError::not_found("You have no entry with that number.");
        let number = rules::entry_number(number).ok_or_else(missing)?;
        let (entry, source) = tokio::try_join!(
            self.store.entry_by_number(&actor.name, number),
            self.store.entry_source(&actor.name, number),
        )?;
        entry.zip(source).ok_or_else(missing)
    }

    /// Rewrites entry `number` of the diary named `author`; it keeps its number, permalink
    /// and publication time. Only the author may: 403 for anyone else.
    pub async fn edit_entry(
        &self,
        actor: &Member,
        author: &str,
        number: &str,
        text: EntryText<'_>,
    ) -> SiteResult<Entry> {
        let number = self.own_entry_number(actor, author, number)?;
        let draft = self.draft(text).await?;
        self.store
            .update_entry(actor.id, number, &draft)
            .await
            .map_err(|e| not_found_as(e, author, number))
    }

    /// Deletes entry `number` of the diary named `author`; its number is never given out
    /// again. Only the author may: 403 for anyone else.
    pub async fn delete_entry(&self, actor: &Member, author: &str, number: &str) -> SiteResult<()> {
        let number = self.own_entry_number(actor, author, number)?;
        self.store
            .delete_entry(actor.id, number)
            .await
            .map_err(|e| not_found_as(e, author, number))?;
        tracing::info!(member = %actor.name, number, "entry deleted");
        Ok(())
    }

    /// The number of a write to `author`'s entry `number`: 403 unless `author` is the actor,
    /// 404 for a number that cannot exist.
    fn own_entry_number(
        &self,
        actor: &Member,
        author: &str,
        number: &str,
    ) -> SiteResult<EntryNumber> {
        let is_own = virgule_store::MemberName::parse(author).is_ok_and(|n| n == actor.name);
        if !is_own {
            return Err(SiteError::forbidden("only its author may change an entry"));
        }
        rules::entry_number(number).ok_or_else(|| no_entry(author, number))
    }
}

fn not_found_as(err: StoreError, author: &str, number: EntryNumber) -> SiteError {
    match err {
        StoreError::NotFound => no_entry(author, number),
        other => other.into(),
    }
}

//! Threaded replies to articles and diary entries: members at the reply gate answer an item
//! or a reply of it; authors edit and delete their own (a deleted reply with answers stays
//! as "[deleted]"); a member may close their diary to replies.

use std::collections::HashMap;

use virgule_store::{Member, Reply, ReplyRemoval, ReplyTarget, StoreError};

use crate::error::{ErrorKind, SiteError, SiteResult};
use crate::gates::Gate;
use crate::{Site, rules};

/// What a member sends to reply, as typed.
#[derive(Debug, Clone, Copy)]
pub struct ReplyText<'a> {
    pub body: &'a str,
    /// `markdown` or `html`.
    pub format: &'a str,
    /// The reply answered; `None` to answer the item itself.
    pub parent: Option<i64>,
}

/// A reply in its thread: how deep it sits (0 for an answer to the item).
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadReply {
    pub reply: Reply,
    pub depth: u32,
}

/// Whether a member may reply to an item, as a page asks before showing the form.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyAccess {
    /// The form is offered.
    Open,
    /// Nobody is signed in.
    SignIn,
    /// Refused, with the reason (below the gate, or replies closed).
    Refused(SiteError),
}

/// Orders an item's replies (in posting order, as the store gives them) as a thread: each
/// reply followed by its answers, depth first, siblings oldest first. A reply whose parent is
/// missing is shown at the top rather than lost.
pub fn thread(replies: Vec<Reply>) -> Vec<ThreadReply> {
    let ids: std::collections::HashSet<i64> = replies.iter().map(|r| r.id).collect();
    let mut children: HashMap<Option<i64>, Vec<Reply>> = HashMap::new();
    for reply in replies {
        let parent = reply.parent.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(reply);
    }
    let mut out = Vec::with_capacity(ids.len());
    // An explicit stack: a long chain of answers must not overflow the call stack.
    let mut stack: Vec<(Reply, u32)> = Vec::new();
    let push_children = |stack: &mut Vec<(Reply, u32)>,
                         children: &mut HashMap<Option<i64>, Vec<Reply>>,
                         parent: Option<i64>,
                         depth: u32| {
        if let Some(list) = children.remove(&parent) {
            stack.extend(list.into_iter().rev().map(|r| (r, depth)));
        }
    };
    push_children(&mut stack, &mut children, None, 0);
    while let Some((reply, depth)) = stack.pop() {
        let id = reply.id;
        out.push(ThreadReply { reply, depth });
        push_children(&mut stack, &mut children, Some(id), depth + 1);
    }
    out
}

fn no_reply(id: impl std::fmt::Display) -> SiteError {
    SiteError::not_found(format!("There is no reply {id}."))
}

impl Site {
    /// An item's replies in thread order.
    pub async fn thread(&self, target: ReplyTarget) -> SiteResult<Vec<ThreadReply>> {
        Ok(thread(self.store.replies_for(target).await?))
    }

    /// Whether `member` may reply to an item owned by `owner` (the diarist, for an entry;
    /// `None` for an article, which always takes replies).
    pub fn reply_access(&self, member: Option<&Member>, owner: Option<&Member>) -> ReplyAccess {
        if let Some(owner) = owner
            && !owner.replies_open
        {
            return ReplyAccess::Refused(replies_closed(owner));
        }
        match member {
            None => ReplyAccess::SignIn,
            Some(member) => match self.check_gate(member, Gate::Reply) {
                Ok(()) => ReplyAccess::Open,
                Err(refused) => ReplyAccess::Refused(refused),
            },
        }
    }

    /// Replies to article `number`; 403 `level_too_low` below the reply gate.
    pub async fn reply_to_article(
        &self,
        actor: &Member,
        number: &str,
        text: ReplyText<'_>,
    ) -> SiteResult<Reply> {
        let article = self.article(number).await?;
        self.reply_to(actor, None, ReplyTarget::Article(article.id), text).await
    }

    /// Replies to entry `number` of the diary named `author`; 403 `replies_closed` if its
    /// author closed their diary to replies, `level_too_low` below the reply gate.
    pub async fn reply_to_entry(
        &self,
        actor: &Member,
        author: &str,
        number: &str,
        text: ReplyText<'_>,
    ) -> SiteResult<Reply> {
        let entry = self.entry(author, number).await?;
        let owner = self.member_named(author).await?;
        self.reply_to(actor, Some(&owner), ReplyTarget::Entry(entry.id), text).await
    }

    async fn reply_to(
        &self,
        actor: &Member,
        owner: Option<&Member>,
        target: ReplyTarget,
        text: ReplyText<'_>,
    ) -> SiteResult<Reply> {
        if let ReplyAccess::Refused(refused) = self.reply_access(Some(actor), owner) {
            return Err(refused);
        }
        let known = self.shortcut_links(text.body).await?;
        let draft = rules::reply(text.body, text.format, &known)?;
        if let Some(parent) = text.parent {
            let answered = self.store.reply_by_id(parent).await?;
            match answered {
                None => {
                    return Err(SiteError::bad_input(
                        "invalid",
                        format!("there is no reply {parent} to answer"),
                    ));
                }
                Some(p) if p.target != target => {
                    return Err(SiteError::bad_input(
                        "invalid",
                        format!("reply {parent} belongs to another article or entry"),
                    ));
                }
                Some(_) => {}
            }
        }
        let reply = self.store.create_reply(target, text.parent, actor.id, &draft).await?;
        tracing::info!(member = %actor.name, id = reply.id, "reply posted");
        Ok(reply)
    }

    /// Reply `id` (as written in an address): 404 if there is none.
    pub async fn reply(&self, id: &str) -> SiteResult<Reply> {
        let n = rules::reply_id(id).ok_or_else(|| no_reply(id))?;
        self.store.reply_by_id(n).await?.ok_or_else(|| no_reply(n))
    }

    /// `actor`'s own reply `id` with what they typed, for the edit form: 403 for another's,
    /// 404 for a deleted one.
    pub async fn own_reply_source(&self, actor: &Member, id: &str) -> SiteResult<(Reply, String)> {
        let reply = self.own_reply(actor, id).await?;
        let source = self.store.reply_source(reply.id).await?.ok_or_else(|| no_reply(reply.id))?;
        Ok((reply, source))
    }

    /// Rewrites one's own reply; its place in the thread is kept.
    pub async fn edit_reply(
        &self,
        actor: &Member,
        id: &str,
        body: &str,
        format: &str,
    ) -> SiteResult<Reply> {
        let reply = self.own_reply(actor, id).await?;
        let known = self.shortcut_links(body).await?;
        let draft = rules::reply(body, format, &known)?;
        self.store
            .update_reply(reply.id, actor.id, &draft)
            .await
            .map_err(|e| not_found_as(e, reply.id))
    }

    /// Deletes one's own reply (a reply with answers stays as "[deleted]"); returns it as it
    /// was (for its item's address) and what became of it.
    pub async fn delete_reply(
        &self,
        actor: &Member,
        id: &str,
    ) -> SiteResult<(Reply, ReplyRemoval)> {
        let reply = self.own_reply(actor, id).await?;
        let removal = self
            .store
            .delete_reply(reply.id, actor.id)
            .await
            .map_err(|e| not_found_as(e, reply.id))?;
        tracing::info!(member = %actor.name, id = reply.id, ?removal, "reply deleted");
        Ok((reply, removal))
    }

    async fn own_reply(&self, actor: &Member, id: &str) -> SiteResult<Reply> {
        let reply = self.reply(id).await?;
        if reply.author != actor.name {
            return Err(SiteError::forbidden("only its author may change a reply"));
        }
        if reply.deleted {
            return Err(no_reply(reply.id));
        }
        Ok(reply)
    }
}

fn replies_closed(owner: &Member) -> SiteError {
    SiteError::new(
        ErrorKind::Forbidden,
        "replies_closed",
        format!("{} has closed their diary to replies.", owner.name),
    )
}

fn not_found_as(err: StoreError, id: i64) -> SiteError {
    match err {
        StoreError::NotFound => no_reply(id),
        other => other.into(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::Utc;
    use virgule_store::{EntryFormat, MemberName, ReplyPlace, TrustLevel};

    use super::*;

    fn reply(id: i64, parent: Option<i64>) -> Reply {
        Reply {
            id,
            target: ReplyTarget::Article(1),
            place: ReplyPlace::Article(1),
            parent,
            author: MemberName::parse("a").unwrap(),
            author_level: TrustLevel::Apprentice,
            format: EntryFormat::Markdown,
            html: String::new(),
            published: Utc::now(),
            updated: Utc::now(),
            deleted: false,
            spam: false,
            guest: None,
        }
    }

    fn shape(replies: Vec<Reply>) -> Vec<(i64, u32)> {
        thread(replies).into_iter().map(|t| (t.reply.id, t.depth)).collect()
    }

    #[test]
    fn answers_follow_their_parent_one_level_deeper() {
        // 1 ─ 3 ─ 5        posting order: 1, 2, 3, 4, 5, 6
        //   └ 4
        // 2 ─ 6
        let replies = vec![
            reply(1, None),
            reply(2, None),
            reply(3, Some(1)),
            reply(4, Some(1)),
            reply(5, Some(3)),
            reply(6, Some(2)),
        ];
        assert_eq!(shape(replies), [(1, 0), (3, 1), (5, 2), (4, 1), (2, 0), (6, 1)]);
    }

    #[test]
    fn a_reply_whose_parent_is_missing_is_not_lost() {
        assert_eq!(shape(vec![reply(7, Some(3)), reply(8, Some(7))]), [(7, 0), (8, 1)]);
    }

    #[test]
    fn a_long_chain_does_not_overflow() {
        let chain: Vec<Reply> = (1..=100_000).map(|i| reply(i, (i > 1).then_some(i - 1))).collect();
        let t = thread(chain);
        assert_eq!(t.last().map(|r| r.depth), Some(99_999));
    }
}

//! `/person/NAME/archive/YYYY/MM/`: every entry a member published in one month (UTC),
//! newest first, as a WordPress archive page shows them.

use axum::extract::{Path, State};
use axum::response::Html;

use super::{DiaryPage, diary_layout, load_sidebar};
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};

use crate::pages::render;
use crate::pages::view::{EntryView, LevelMark, Pager, month_label};
use crate::state::AppState;

/// A year of 1 to 4 digits and a month 1–12 (written `3` or `03`); `None` otherwise.
fn parse_month(year: &str, month: &str) -> Option<(i32, u32)> {
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(year, 4) || !digits(month, 2) {
        return None;
    }
    let year: i32 = year.parse().ok().filter(|y| *y >= 1)?;
    let month: u32 = month.parse().ok().filter(|m| (1..=12).contains(m))?;
    Some((year, month))
}

pub async fn month(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((name, year, month)): Path<(String, String, String)>,
) -> PageResult<Html<String>> {
    let (year, month) =
        parse_month(&year, &month).ok_or_else(|| Failure::not_found("There is no such month."))?;
    let label =
        month_label(year, month).ok_or_else(|| Failure::not_found("There is no such month."))?;
    let member = state.site.member_named(&name).await?;
    let (entries, sidebar) = tokio::try_join!(
        state.site.store().entries_for_month(member.id, year, month),
        load_sidebar(&state, &member),
    )?;
    let name = member.name.as_str();
    let heading = format!("Entries for {name} from {label}");
    let entries = EntryView::diary(entries, &viewer);
    let page = DiaryPage {
        level: LevelMark::of(member.trust_level),
        layout: diary_layout(&state, &viewer, name, heading.clone()),
        heading,
        empty: format!("{name} wrote no entries in {label}."),
        entries,
        pager: Pager::default(),
        sidebar,
        owner: viewer.is(name),
        filtered: true,
    };
    Ok(render(&page)?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::parse_month;

    #[test]
    fn months_are_checked() {
        assert_eq!(parse_month("2021", "03"), Some((2021, 3)));
        assert_eq!(parse_month("2021", "3"), Some((2021, 3)));
        assert_eq!(parse_month("2021", "13"), None);
        assert_eq!(parse_month("2021", "00"), None);
        assert_eq!(parse_month("0", "01"), None);
        assert_eq!(parse_month("-2021", "01"), None);
        assert_eq!(parse_month("20210", "01"), None);
        assert_eq!(parse_month("x", "01"), None);
    }
}

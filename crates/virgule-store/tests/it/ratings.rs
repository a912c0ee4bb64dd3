//! Diary ratings and the interest scores derived from them: one rating per (rater, author),
//! replaced or withdrawn; scores replaced wholesale and read per page; ratings (not scores)
//! carried by the site file.

use chrono::{DateTime, Utc};
use virgule_store::site::{SiteError, SiteRecord, parse_line, to_line};
use virgule_store::testing::{fresh_store, kept_statements};
use virgule_store::{InterestScore, Store, StoreError};

use crate::support::{member, name};

#[tokio::test]
async fn a_rating_is_replaced_and_withdrawn() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let etbe = member(&store, "etbe").await;
    let zaitcev = member(&store, "zaitcev").await;
    assert_eq!(store.rating(raph.id, etbe.id).await.unwrap(), None);
    store.rate(raph.id, etbe.id, 7).await.unwrap();
    store.rate(zaitcev.id, etbe.id, 3).await.unwrap();
    store.rate(raph.id, etbe.id, 9).await.unwrap();
    assert_eq!(store.rating(raph.id, etbe.id).await.unwrap(), Some(9));
    assert_eq!(store.rating(etbe.id, raph.id).await.unwrap(), None, "ratings are one-way");
    // Rating again keeps the rating's place (its id): the order is when a pair was first rated.
    assert_eq!(
        store.all_ratings().await.unwrap(),
        [(raph.id, etbe.id, 9), (zaitcev.id, etbe.id, 3)]
    );
    assert!(store.withdraw_rating(raph.id, etbe.id).await.unwrap());
    assert!(!store.withdraw_rating(raph.id, etbe.id).await.unwrap());
    assert_eq!(store.all_ratings().await.unwrap(), [(zaitcev.id, etbe.id, 3)]);
}

#[tokio::test]
async fn nobody_rates_their_own_diary_or_outside_one_to_ten() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let etbe = member(&store, "etbe").await;
    for (author, rating) in [(raph.id, 5), (etbe.id, 0), (etbe.id, 11)] {
        let err = store.rate(raph.id, author, rating).await.unwrap_err();
        assert!(matches!(err, StoreError::Refused(_)), "{err}");
    }
    assert!(store.all_ratings().await.unwrap().is_empty(), "nothing stored");
}

fn score(confidence: f64, mean: f64) -> InterestScore {
    InterestScore { confidence, mean, mean_sq: mean * mean }
}

#[tokio::test]
async fn interest_scores_are_replaced_wholesale_and_read_per_reader() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let etbe = member(&store, "etbe").await;
    let zaitcev = member(&store, "zaitcev").await;
    store
        .replace_interest_scores(&[
            (raph.id, etbe.id, score(0.95, 7.5)),
            (raph.id, zaitcev.id, score(1.0, 2.0)),
            (etbe.id, zaitcev.id, score(0.5, 9.0)),
        ])
        .await
        .unwrap();
    let authors = [name("etbe"), name("zaitcev"), name("raph")];
    let read = store.interest_scores(raph.id, &authors).await.unwrap();
    assert_eq!(read.len(), 2);
    assert_eq!(read[&name("etbe")], score(0.95, 7.5));
    assert_eq!(read[&name("zaitcev")], score(1.0, 2.0));
    let only = store.interest_scores(raph.id, &[name("zaitcev")]).await.unwrap();
    assert_eq!(only.len(), 1);
    assert!(store.interest_scores(raph.id, &[]).await.unwrap().is_empty());

    // A new computation replaces every row; more rows than one insert batch carry.
    let many: Vec<_> = (0..2500).map(|i| (10_000 + i, etbe.id, score(0.5, 5.0))).collect();
    store.replace_interest_scores(&many).await.unwrap();
    assert_eq!(store.interest_score_count().await.unwrap(), 2500);
    assert!(store.interest_scores(raph.id, &authors).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_computation_leaves_no_statement_behind_for_its_last_batch() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let scores =
        |n: i64| -> Vec<_> { (0..n).map(|i| (10_000 + i, etbe.id, score(0.5, 5.0))).collect() };
    store.replace_interest_scores(&scores(2000)).await.unwrap();
    let kept = kept_statements(&store).await;
    // Each computation's last batch has another size: were each kept prepared, every one
    // would stay on the connection (under load, a statement of up to 5,000 parameters after
    // each recomputation, the memory growing for as long as the site ran).
    for n in 1001..1009 {
        store.replace_interest_scores(&scores(n)).await.unwrap();
        assert_eq!(store.interest_score_count().await.unwrap(), n);
    }
    let now = kept_statements(&store).await;
    assert!(now < kept + 8, "{kept} statements kept before, {now} after 8 last batches");
}

fn at() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_450_000_000, 0).unwrap()
}

async fn export(store: &Store) -> Vec<String> {
    let mut lines = Vec::new();
    store
        .export_site(at(), |record| {
            lines.push(to_line(record));
            Ok(())
        })
        .await
        .unwrap();
    lines
}

async fn import(store: &Store, lines: &[String]) -> Result<(), SiteError> {
    let records = lines.iter().zip(1..).map(|(line, n)| parse_line(n, line));
    store.import_site(records, |_| {}).await.map(|_| ())
}

#[tokio::test]
async fn ratings_move_with_the_site_file_by_name_and_scores_do_not() {
    let (source, _a) = fresh_store().await;
    let raph = member(&source, "raph").await;
    let etbe = member(&source, "etbe").await;
    let zaitcev = member(&source, "zaitcev").await;
    source.rate(zaitcev.id, raph.id, 4).await.unwrap();
    source.rate(raph.id, etbe.id, 8).await.unwrap();
    source.replace_interest_scores(&[(raph.id, etbe.id, score(1.0, 8.0))]).await.unwrap();
    assert_eq!(source.site_counts().await.unwrap().ratings, 2);
    let lines = export(&source).await;
    let ratings: Vec<&String> =
        lines.iter().filter(|l| l.contains("\"type\":\"rating\"")).collect();
    assert_eq!(ratings.len(), 2);
    assert!(
        ratings[0].contains("\"rater\":\"zaitcev\",\"author\":\"raph\",\"rating\":4"),
        "{}",
        ratings[0]
    );
    assert!(lines.last().unwrap().contains("\"ratings\":2"), "{}", lines.last().unwrap());

    let (target, _b) = fresh_store().await;
    import(&target, &lines).await.unwrap();
    let id = |store: Store, raw: &'static str| async move {
        store.member_by_name(&name(raw)).await.unwrap().unwrap().id
    };
    let (t_raph, t_etbe, t_zaitcev) = (
        id(target.clone(), "raph").await,
        id(target.clone(), "etbe").await,
        id(target.clone(), "zaitcev").await,
    );
    assert_eq!(target.all_ratings().await.unwrap(), [(t_zaitcev, t_raph, 4), (t_raph, t_etbe, 8)]);
    assert_eq!(target.interest_score_count().await.unwrap(), 0, "scores are recomputed, not moved");
    assert_eq!(export(&target).await[1..], lines[1..]);

    // A file written before ratings existed (no "ratings" count) still reads.
    let end = lines.last().unwrap().replace(",\"ratings\":2", "");
    assert!(matches!(parse_line(9, &end).unwrap(), SiteRecord::End(_)));
}

#[tokio::test]
async fn bad_rating_lines_are_refused_and_nothing_is_imported() {
    let (source, _a) = fresh_store().await;
    let raph = member(&source, "raph").await;
    let etbe = member(&source, "etbe").await;
    source.rate(raph.id, etbe.id, 8).await.unwrap();
    let good = export(&source).await;
    let line = good.iter().position(|l| l.contains("\"type\":\"rating\"")).unwrap();
    for bad in [
        good[line].replace("\"rating\":8", "\"rating\":11"),
        good[line].replace("\"rating\":8", "\"rating\":0"),
        good[line].replace("\"author\":\"etbe\"", "\"author\":\"raph\""),
        good[line].replace("\"author\":\"etbe\"", "\"author\":\"ghost\""),
    ] {
        let mut lines = good.clone();
        lines[line] = bad.clone();
        let (target, _b) = fresh_store().await;
        let err = import(&target, &lines).await.unwrap_err();
        assert!(
            matches!(err, SiteError::Invalid { line: l, .. } if l == line as u64 + 1),
            "{bad}: {err}"
        );
        assert_eq!(target.site_counts().await.unwrap().total(), 0);
    }
    // The same pair twice.
    let mut lines = good.clone();
    lines.insert(line, good[line].clone());
    let end = lines.len() - 1;
    lines[end] = lines[end].replace("\"ratings\":1", "\"ratings\":2");
    let (target, _b) = fresh_store().await;
    let err = import(&target, &lines).await.unwrap_err();
    assert!(matches!(err, SiteError::Invalid { line: l, .. } if l == line as u64 + 2), "{err}");
    assert_eq!(target.site_counts().await.unwrap().total(), 0);
}

//! Projects and members' relations to them: one name per project, relations replaced and
//! withdrawn, listed from both sides; the name lookups the markup shortcuts use; the
//! certification graph by name; and projects through the site file, by names.

use virgule_store::site::{SiteRecord, parse_line, to_line};
use virgule_store::testing::fresh_store;
use virgule_store::{
    CertLevel, Page, ProjectDraft, ProjectName, Relation, Store, StoreError, TrustLevel,
};

use crate::support::{at, member, name};

fn project_name(raw: &str) -> ProjectName {
    ProjectName::parse(raw).unwrap()
}

fn draft(description: &str) -> ProjectDraft {
    ProjectDraft {
        description_source: description.to_owned(),
        description_html: format!("<p>{description}</p>"),
        homepage: "https://gimp.example/".to_owned(),
        license: "GPL-3.0-or-later".to_owned(),
    }
}

#[tokio::test]
async fn projects_are_created_once_edited_and_listed_by_name() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let gimp =
        store.create_project(raph.id, &project_name("gimp"), &draft("Pixels")).await.unwrap();
    assert_eq!((gimp.name.as_str(), gimp.creator.as_str()), ("gimp", "raph"));
    assert_eq!(gimp.created, gimp.updated);
    let taken = store.create_project(raph.id, &project_name("gimp"), &draft("Again")).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");

    let edited = store.update_project(gimp.id, &draft("More pixels")).await.unwrap();
    assert_eq!(edited.description_source, "More pixels");
    assert!(edited.updated >= gimp.updated);
    assert!(matches!(store.update_project(9999, &draft("x")).await, Err(StoreError::NotFound)));

    store.create_project(raph.id, &project_name("advogato"), &draft("Trust")).await.unwrap();
    let names: Vec<String> = store
        .projects(Page { start: 0, limit: 10 })
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name.to_string())
        .collect();
    assert_eq!(names, ["advogato", "gimp"]);
    assert_eq!(store.project_count().await.unwrap(), 2);
    let found = store.project_by_name(&project_name("gimp")).await.unwrap().unwrap();
    assert_eq!(found, edited);
    assert!(store.project_by_name(&project_name("nothing")).await.unwrap().is_none());
}

#[tokio::test]
async fn relations_are_replaced_withdrawn_and_listed_from_both_sides() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let zed = member(&store, "zed").await;
    let gimp =
        store.create_project(raph.id, &project_name("gimp"), &draft("Pixels")).await.unwrap();
    let gtk = store.create_project(raph.id, &project_name("gtk"), &draft("Widgets")).await.unwrap();

    store.set_project_relation(gimp.id, zed.id, Some(Relation::User)).await.unwrap();
    store.set_project_relation(gimp.id, zed.id, Some(Relation::Developer)).await.unwrap();
    store.set_project_relation(gimp.id, raph.id, Some(Relation::LeadDeveloper)).await.unwrap();
    store.set_project_relation(gtk.id, zed.id, Some(Relation::Helper)).await.unwrap();
    store.set_trust_levels(&[(zed.id, TrustLevel::Journeyer)]).await.unwrap();

    let people = store.project_people(gimp.id).await.unwrap();
    let people: Vec<_> = people.iter().map(|p| (p.name.as_str(), p.relation, p.level)).collect();
    assert_eq!(
        people,
        [
            ("raph", Relation::LeadDeveloper, TrustLevel::Observer),
            ("zed", Relation::Developer, TrustLevel::Journeyer),
        ],
        "one relation per member, the newest"
    );
    let mine = store.member_projects(zed.id).await.unwrap();
    let mine: Vec<_> = mine.iter().map(|p| (p.project.as_str(), p.relation)).collect();
    assert_eq!(mine, [("gimp", Relation::Developer), ("gtk", Relation::Helper)]);

    store.set_project_relation(gimp.id, zed.id, None).await.unwrap();
    store.set_project_relation(gimp.id, zed.id, None).await.unwrap();
    assert_eq!(store.project_people(gimp.id).await.unwrap().len(), 1);
    assert_eq!(store.member_projects(zed.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn shortcut_lookups_answer_which_names_exist() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    store.create_project(raph.id, &project_name("gimp"), &draft("Pixels")).await.unwrap();
    assert_eq!(store.existing_member_names(&["gimp", "raph", "nobody"]).await.unwrap(), ["raph"]);
    assert_eq!(store.existing_project_names(&["gimp", "raph"]).await.unwrap(), ["gimp"]);
    assert!(store.existing_member_names(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_cert_graph_is_by_name_in_certification_order_without_the_suspended() {
    let (store, _db) = fresh_store().await;
    let a = member(&store, "a").await;
    let b = member(&store, "b").await;
    let c = member(&store, "c").await;
    store.certify(b.id, c.id, CertLevel::Journeyer).await.unwrap();
    store.certify(a.id, b.id, CertLevel::Master).await.unwrap();
    store.certify(c.id, a.id, CertLevel::Apprentice).await.unwrap();
    // Certifying again moves the pair last, as the metric sees it.
    store.certify(b.id, c.id, CertLevel::Master).await.unwrap();
    let graph = |store: Store| async move {
        store
            .cert_graph()
            .await
            .unwrap()
            .into_iter()
            .map(|(i, s, l)| format!("{i},{s},{}", l.as_str()))
            .collect::<Vec<_>>()
    };
    assert_eq!(graph(store.clone()).await, ["a,b,master", "c,a,apprentice", "b,c,master"]);
    store.set_suspended(&name("c"), true).await.unwrap();
    assert_eq!(graph(store.clone()).await, ["a,b,master"]);
}

#[tokio::test]
async fn projects_and_relations_move_with_the_site_file_by_name() {
    let (source, _a) = fresh_store().await;
    let raph = member(&source, "raph").await;
    let zed = member(&source, "zed").await;
    let gtk = source.create_project(zed.id, &project_name("gtk"), &draft("Widgets")).await.unwrap();
    let gimp =
        source.create_project(raph.id, &project_name("gimp"), &draft("Pixels")).await.unwrap();
    source.set_project_relation(gimp.id, zed.id, Some(Relation::Documenter)).await.unwrap();
    source.set_project_relation(gtk.id, raph.id, Some(Relation::LeadDeveloper)).await.unwrap();

    let mut lines = Vec::new();
    let counts = source
        .export_site(at(2026, 11, 23, 12), |record| {
            lines.push(to_line(record));
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!((counts.projects, counts.project_people), (2, 2));
    let kinds: Vec<&str> = lines
        .iter()
        .filter(|l| l.contains("\"type\":\"project"))
        .map(|l| if l.contains("\"type\":\"project_person\"") { "relation" } else { "project" })
        .collect();
    assert_eq!(kinds, ["project", "project", "relation", "relation"]);
    assert!(
        lines
            .iter()
            .any(|l| l.contains(r#""project":"gimp","member":"zed","relation":"documenter""#)),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains(r#""name":"gimp""#) && l.contains(r#""creator":"raph""#))
    );

    let (target, _b) = fresh_store().await;
    let records = lines.iter().zip(1..).map(|(line, n)| parse_line(n, line));
    target.import_site(records, |_| {}).await.unwrap();
    let moved = target.project_by_name(&project_name("gimp")).await.unwrap().unwrap();
    let before = source.project_by_name(&project_name("gimp")).await.unwrap().unwrap();
    assert_eq!(
        (&moved.description_html, &moved.homepage, &moved.license, &moved.creator, moved.created),
        (
            &before.description_html,
            &before.homepage,
            &before.license,
            &before.creator,
            before.created
        )
    );
    let zed_after = target.member_by_name(&name("zed")).await.unwrap().unwrap();
    let relations = target.member_projects(zed_after.id).await.unwrap();
    assert_eq!(relations.len(), 1);
    assert_eq!(
        (relations[0].project.as_str(), relations[0].relation),
        ("gimp", Relation::Documenter)
    );

    // A relation to a project the file has not named is refused by line, and nothing stays.
    let mut bad = lines.clone();
    let at_relation = bad
        .iter()
        .position(|l| l.contains("\"project_person\"") && l.contains("documenter"))
        .unwrap();
    bad[at_relation] = bad[at_relation].replace("\"project\":\"gimp\"", "\"project\":\"ghost\"");
    let (empty, _c) = fresh_store().await;
    let records = bad.iter().zip(1..).map(|(line, n)| parse_line(n, line));
    let err = empty.import_site(records, |_| {}).await.unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("line {}:", at_relation + 1)) && err.contains("ghost"),
        "{err}"
    );
    assert_eq!(empty.member_count().await.unwrap(), 0);
    // So is an unknown relation.
    let mut bad = lines.clone();
    bad[at_relation] = bad[at_relation].replace("documenter", "fan");
    let (empty, _d) = fresh_store().await;
    let records = bad.iter().zip(1..).map(|(line, n)| parse_line(n, line));
    let err = empty.import_site(records, |_| {}).await.unwrap_err().to_string();
    assert!(err.contains("fan"), "{err}");
    // Files written before projects existed have no project counts in their end record.
    let end = parse_line(1, r#"{"type":"end","counts":{"members":0,"api_tokens":0,"entries":0,"certs":0,"feeds":0,"feed_items":0,"news":0}}"#).unwrap();
    assert!(matches!(end, SiteRecord::End(_)));
}

//! Project pages (`/proj/`, `/proj/new`, `/proj/NAME/`, `/proj/NAME/edit`, the relation form),
//! a member's projects on their profile, mod_virgule's `<person>`/`<proj>` shortcuts in what
//! members write, and the trust graph out (`/person/certs.txt`, `/person/graph.dot`).

#![allow(clippy::unwrap_used)]

use reqwest::{Method, StatusCode};
use serde_json::json;
use virgule_store::{MemberName, ProjectDraft, ProjectName};

use crate::api_support::{call, get};
use crate::harness::TestApp;
use crate::pages_support::{location, member_id};

#[tokio::test]
async fn a_member_creates_edits_and_lists_a_project_through_the_forms() {
    let app = TestApp::start().await;
    let anon = app.browser();
    let res = anon.get(app.url("/proj/new")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "anonymous visitors log in first");
    assert!(location(&res).starts_with("/acct/login"), "{}", location(&res));

    let raph = app.browser();
    app.register_browser(&raph, "raph").await;
    let fields = [
        ("name", "GIMP"),
        ("description", "Edits *pixels*."),
        ("homepage", "https://gimp.example/"),
        ("license", "GPL-3.0-or-later"),
    ];
    let res = app.submit(&raph, "/proj/new", "/proj/new", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/proj/gimp/");
    let (status, page) = app.get(&anon, "/proj/gimp/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<p>Edits <em>pixels</em>.</p>"), "{page}");
    assert!(
        page.contains(r#"<a href="https://gimp.example/" rel="nofollow noopener noreferrer">"#)
    );
    assert!(page.contains(r#"<dd class="license">GPL-3.0-or-later</dd>"#), "{page}");
    assert!(page.contains(r#"<a href="/person/raph/">raph</a>"#), "the creator: {page}");
    assert!(!page.contains("/proj/gimp/edit"), "no edit link for visitors");
    assert!(!page.contains("/proj/gimp/relation"), "no relation form for visitors");

    // The same name again: the form comes back, filled, with the reason.
    let res = app.submit(&raph, "/proj/new", "/proj/new", &fields).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"data-code="conflict""#) && page.contains("Edits *pixels*."), "{page}");
    // Bad input: 400 with the reason, and nothing stored.
    for (field, value, code) in [
        ("name", "no spaces", "invalid_name"),
        ("homepage", "gimp.example", "invalid_homepage"),
        ("license", &"x".repeat(201), "invalid"),
        ("description", " ", "invalid"),
    ] {
        let mut bad =
            vec![("name", "other"), ("description", "d"), ("homepage", ""), ("license", "")];
        bad.retain(|(k, _)| *k != field);
        bad.push((field, value));
        let res = app.submit(&raph, "/proj/new", "/proj/new", &bad).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{field}");
        assert!(res.text().await.unwrap().contains(&format!(r#"data-code="{code}""#)), "{field}");
    }
    assert_eq!(get(&app, "/api/v1/projects").await.1["total"], 1);

    // The creator edits; the name stays.
    let (_, page) = app.get(&raph, "/proj/gimp/").await;
    assert!(page.contains(r#"href="/proj/gimp/edit""#), "{page}");
    let (status, form) = app.get(&raph, "/proj/gimp/edit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Edits *pixels*.") && !form.contains(r#"name="name""#), "{form}");
    let edit = [("description", "Now *more*."), ("homepage", ""), ("license", "MIT")];
    let res = app.submit(&raph, "/proj/gimp/edit", "/proj/gimp/edit", &edit).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&anon, "/proj/gimp/").await;
    assert!(page.contains("<p>Now <em>more</em>.</p>") && page.contains(">MIT</dd>"), "{page}");
    assert!(!page.contains("gimp.example"), "{page}");
    let bad = [("description", "x"), ("homepage", "nope"), ("license", "")];
    let res = app.submit(&raph, "/proj/gimp/edit", "/proj/gimp/edit", &bad).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(app.get(&anon, "/proj/gimp/").await.1.contains("<p>Now <em>more</em>.</p>"));

    // Anyone else: 403 on the form and on the post.
    let zed = app.browser();
    app.register_browser(&zed, "zed").await;
    let (status, _) = app.get(&zed, "/proj/gimp/edit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page) = app.get(&zed, "/proj/gimp/").await;
    let token = crate::harness::csrf_token(&page);
    let res = zed
        .post(app.url("/proj/gimp/edit"))
        .form(&[("description", "mine"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app.get(&anon, "/proj/gimp/").await.1.contains("<p>Now <em>more</em>.</p>"));
    let (status, _) = app.get(&anon, "/proj/nothing/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, list) = app.get(&anon, "/proj/").await;
    assert!(list.contains(r#"<a href="/proj/gimp/">gimp</a>"#), "{list}");
    assert!(list.contains("1 project,"), "{list}");
}

#[tokio::test]
async fn relations_from_the_project_page_show_there_and_on_the_profile() {
    let app = TestApp::start().await;
    let raph = app.register_api("raph").await;
    let body = json!({"name": "gimp", "description": "x"});
    assert_eq!(
        call(&app, Method::POST, "/api/v1/projects", Some(&raph), Some(body)).await.0,
        StatusCode::CREATED
    );
    let zed = app.browser();
    app.register_browser(&zed, "zed").await;
    let (_, page) = app.get(&zed, "/proj/gimp/").await;
    assert!(page.contains(r#"<option value="none" selected>"#), "{page}");
    assert!(page.contains("Nobody has stated a relation"), "{page}");

    let res = app.submit(&zed, "/proj/gimp/", "/proj/gimp/relation", &[("relation", "user")]).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/proj/gimp/".to_owned()));
    let res =
        app.submit(&zed, "/proj/gimp/", "/proj/gimp/relation", &[("relation", "developer")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&zed, "/proj/gimp/").await;
    assert!(page.contains("<h3>Developers</h3>"), "{page}");
    assert!(!page.contains("<h3>Users</h3>"), "changed, not added: {page}");
    assert!(page.contains(r#"<ul class="people" data-relation="developer">"#), "{page}");
    assert!(page.contains(r#"href="/person/zed/">zed</a>"#), "{page}");
    assert!(page.contains(r#"<option value="developer" selected>"#), "{page}");
    let (_, profile) = app.get(&app.browser(), "/person/zed/").await;
    assert!(
        profile.contains(
            r#"<a href="/proj/gimp/">gimp</a> <span class="relation">(developer)</span>"#
        ),
        "{profile}"
    );

    // A bad relation is refused; nothing changes.
    let res = app.submit(&zed, "/proj/gimp/", "/proj/gimp/relation", &[("relation", "fan")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains(r#"data-code="bad_relation""#));
    assert!(app.get(&zed, "/proj/gimp/").await.1.contains("<h3>Developers</h3>"));

    // Withdrawn: gone from both pages.
    let res = app.submit(&zed, "/proj/gimp/", "/proj/gimp/relation", &[("relation", "none")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!app.get(&zed, "/proj/gimp/").await.1.contains("<h3>Developers</h3>"));
    let (_, profile) = app.get(&app.browser(), "/person/zed/").await;
    assert!(profile.contains("zed lists no projects."), "{profile}");
}

#[tokio::test]
async fn the_project_list_shows_a_hundred_a_page() {
    let app = TestApp::start().await;
    app.register_api("raph").await;
    let raph = member_id(&app.store, "raph").await;
    let draft = ProjectDraft {
        description_source: "x".into(),
        description_html: "<p>x</p>".into(),
        ..ProjectDraft::default()
    };
    for i in 0..101 {
        let name = ProjectName::parse(&format!("p{i:03}")).unwrap();
        app.store.create_project(raph, &name, &draft).await.unwrap();
    }
    let anon = app.browser();
    let (_, first) = app.get(&anon, "/proj/").await;
    assert_eq!(first.matches(r#"<li><a href="/proj/p"#).count(), 100);
    assert!(first.contains("101 projects"), "{first}");
    assert!(first.contains(r#"href="/proj/?start=100""#), "{first}");
    let (_, second) = app.get(&anon, "/proj/?start=100").await;
    assert_eq!(second.matches(r#"<li><a href="/proj/p"#).count(), 1);
    assert!(second.contains(r#"href="/proj/p100/""#), "{second}");
    let (status, _) = app.get(&anon, "/proj/?start=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn shortcuts_link_existing_members_and_projects_in_what_members_write() {
    let app = TestApp::start().await;
    app.register_api("root").await; // the first account: the admin, ranked at once
    let raph = app.register_api("raph").await;
    app.register_api("zed").await;
    let body = json!({"name": "gimp", "description": "Led by <person>Raph</person>."});
    call(&app, Method::POST, "/api/v1/projects", Some(&raph), Some(body)).await;

    let text = "Thanks <person>zed</person> for <proj>gimp</proj>; \
        <person>nobody</person> and <proj>vapour</proj> stay text; \
        <person>\"><script>alert(1)</script></person>.";
    let number = app.post_entry(&raph, "Shortcuts", text).await;
    let (_, page) = app.get(&app.browser(), &format!("/person/raph/diary/{number}.html")).await;
    let rel = r#"rel="nofollow noopener noreferrer""#;
    // raph is not ranked (no certification has run the metric): his entry's links carry ugc.
    let ugc = r#"rel="nofollow noopener noreferrer ugc""#;
    assert!(page.contains(&format!(r#"<a href="/person/zed/" {ugc}>zed</a>"#)), "{page}");
    assert!(page.contains(&format!(r#"<a href="/proj/gimp/" {ugc}>gimp</a>"#)), "{page}");
    assert!(page.contains("; nobody and vapour stay text;"), "{page}");
    assert!(!page.contains("<script>alert") && !page.contains("<person"), "{page}");
    assert!(!page.contains(r#"href="/person/nobody/""#), "{page}");

    // A project description and profile notes, too.
    let (_, gimp) = app.get(&app.browser(), "/proj/gimp/").await;
    assert!(gimp.contains(&format!(r#"Led by <a href="/person/raph/" {rel}>raph</a>."#)), "{gimp}");
    let notes = json!({"notes": "I hack on <proj>gimp</proj>."});
    let (status, _) =
        call(&app, Method::PUT, "/api/v1/settings/profile", Some(&raph), Some(notes)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, profile) = get(&app, "/api/v1/people/raph").await;
    assert!(
        profile["notes_html"].as_str().unwrap().contains(r#"<a href="/proj/gimp/" rel="#),
        "{profile}"
    );
}

#[tokio::test]
async fn the_trust_graph_goes_out_as_text_and_graphviz() {
    let app = TestApp::start().await;
    let raph = app.register_api("raph").await;
    let zed = app.register_api("zed").await;
    app.register_api("miguel").await;
    for (token, subject, level) in [
        (&zed, "miguel", "journeyer"),
        (&raph, "zed", "master"),
        (&zed, "raph", "apprentice"),
        (&zed, "miguel", "master"),
    ] {
        let body = json!({"subject": subject, "level": level});
        let (status, _) = call(&app, Method::POST, "/api/v1/certs", Some(token), Some(body)).await;
        assert_eq!(status, StatusCode::OK);
    }
    let anon = app.browser();
    let res = anon.get(app.url("/person/certs.txt")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    // In certification order; zed's second certification of miguel replaced the first, last.
    assert_eq!(
        res.text().await.unwrap(),
        "raph,zed,Master\nzed,raph,Apprentice\nzed,miguel,Master\n"
    );
    let res = anon.get(app.url("/person/graph.dot")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/vnd.graphviz"));
    assert_eq!(
        res.text().await.unwrap(),
        "digraph certs {\n  \"raph\" -> \"zed\" [label=\"Master\"];\n  \"zed\" -> \"raph\" [label=\"Apprentice\"];\n  \"zed\" -> \"miguel\" [label=\"Master\"];\n}\n"
    );
    // A suspended member's certifications count for nobody, so they are not in the graph.
    app.store.set_suspended(&MemberName::parse("raph").unwrap(), true).await.unwrap();
    app.caught_up().await;
    let (_, text) = app.get(&anon, "/person/certs.txt").await;
    assert_eq!(text, "zed,miguel,Master\n");
    // The profile of a member named like the files is not shadowed: names have no dots.
    let (status, _) = app.get(&anon, "/person/zed/").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_project_address_without_its_slash_leads_to_the_page() {
    let app = TestApp::start().await;
    let anon = app.browser();
    let res = anon.get(app.url("/proj/GIMP")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(location(&res), "/proj/gimp/", "as /person/NAME leads to /person/NAME/");
    let (status, page) = app.get(&anon, "/proj/no%20such!").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("There is no project at this address."), "{page}");
}

//! Projects by API (`/api/v1/projects`): any member creates one, the name is taken once, the
//! creator alone edits it, members state and withdraw their relation, and the people API
//! lists a member's projects. Refused input stores nothing.

#![allow(clippy::unwrap_used)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_support::{assert_error, call, get};
use crate::harness::TestApp;

async fn create(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    call(app, Method::POST, "/api/v1/projects", Some(token), Some(body)).await
}

async fn relate(app: &TestApp, token: &str, project: &str, relation: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/projects/{project}/relation");
    call(app, Method::PUT, &path, Some(token), Some(json!({"relation": relation}))).await
}

async fn total(app: &TestApp) -> i64 {
    get(app, "/api/v1/projects").await.1["total"].as_i64().unwrap()
}

#[tokio::test]
async fn a_member_creates_a_project_and_only_its_creator_edits_it() {
    let app = TestApp::start().await;
    let raph = app.register_api("raph").await;
    let zed = app.register_api("zed").await;

    let body = json!({"name": "GIMP", "description": "Edits *pixels*.",
        "homepage": "https://gimp.example", "license": "GPL-3.0-or-later"});
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/projects"))
        .bearer_auth(&raph)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["name"], "gimp", "names are lower-cased");
    let url = created["url"].as_str().unwrap();
    assert!(url.starts_with("http://") && url.ends_with("/proj/gimp/"), "{url}");
    assert_eq!(location, url);

    let (status, project) = get(&app, "/api/v1/projects/gimp").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        project,
        json!({"name": "gimp", "description_html": "<p>Edits <em>pixels</em>.</p>\n",
            "homepage": "https://gimp.example/", "license": "GPL-3.0-or-later",
            "creator": "raph", "people": []})
    );

    // The name is taken, whatever its case; by anyone.
    let (status, body) = create(&app, &zed, json!({"name": "gimp", "description": "x"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "conflict");
    let (status, body) = create(&app, &raph, json!({"name": " Gimp ", "description": "x"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "conflict");

    // Someone else's edit is refused and changes nothing.
    let edit = json!({"description": "Mine now", "license": "proprietary"});
    let (status, body) =
        call(&app, Method::PUT, "/api/v1/projects/gimp", Some(&zed), Some(edit.clone())).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(get(&app, "/api/v1/projects/gimp").await.1, project);

    // The creator edits; fields not sent keep their value.
    let (status, edited) =
        call(&app, Method::PUT, "/api/v1/projects/gimp", Some(&raph), Some(edit)).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["description_html"], "<p>Mine now</p>\n");
    assert_eq!(edited["license"], "proprietary");
    assert_eq!(edited["homepage"], "https://gimp.example/", "kept");
    assert_eq!(get(&app, "/api/v1/projects/gimp").await.1, edited);
    // The name cannot change; its own name may be sent back.
    let rename = json!({"name": "gimp2", "description": "x"});
    let (status, body) =
        call(&app, Method::PUT, "/api/v1/projects/gimp", Some(&raph), Some(rename)).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid");
    let same = json!({"name": "gimp", "homepage": ""});
    let (status, body) =
        call(&app, Method::PUT, "/api/v1/projects/gimp", Some(&raph), Some(same)).await;
    assert_eq!((status, &body["homepage"]), (StatusCode::OK, &json!("")), "{body}");

    let (status, body) =
        call(&app, Method::PUT, "/api/v1/projects/nothing", Some(&raph), Some(json!({}))).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = get(&app, "/api/v1/projects/nothing").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/projects",
        None,
        Some(json!({"name": "anon", "description": "x"})),
    )
    .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn bad_projects_are_refused_and_nothing_is_stored() {
    let app = TestApp::start().await;
    let raph = app.register_api("raph").await;
    let long_license = "x".repeat(201);
    for (body, code) in [
        (json!({"name": "a b", "description": "x"}), "invalid_name"),
        (json!({"name": "", "description": "x"}), "invalid_name"),
        (json!({"description": "x"}), "invalid_name"),
        (json!({"name": "x".repeat(33), "description": "x"}), "invalid_name"),
        (json!({"name": "ok"}), "invalid"),
        (json!({"name": "ok", "description": "  "}), "invalid"),
        (json!({"name": "ok", "description": "<script>x()</script>"}), "invalid"),
        (
            json!({"name": "ok", "description": "x", "homepage": "javascript:alert(1)"}),
            "invalid_homepage",
        ),
        (json!({"name": "ok", "description": "x", "homepage": "gimp.org"}), "invalid_homepage"),
        (json!({"name": "ok", "description": "x", "license": long_license}), "invalid"),
        (json!({"name": "ok", "description": "x", "license": "GPL\nMIT"}), "invalid"),
    ] {
        let (status, answer) = create(&app, &raph, body.clone()).await;
        assert_error(status, &answer, StatusCode::BAD_REQUEST, code);
        assert_eq!(total(&app).await, 0, "{body} stored nothing");
    }
    let (status, _) = get(&app, "/api/v1/projects/ok").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A refused edit changes nothing either.
    let (status, _) = create(&app, &raph, json!({"name": "ok", "description": "fine"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, before) = get(&app, "/api/v1/projects/ok").await;
    let bad = json!({"description": "new", "homepage": "ftp://x.org/"});
    let (status, body) =
        call(&app, Method::PUT, "/api/v1/projects/ok", Some(&raph), Some(bad)).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_homepage");
    assert_eq!(get(&app, "/api/v1/projects/ok").await.1, before);
}

#[tokio::test]
async fn relations_are_set_changed_withdrawn_and_listed_both_ways() {
    let app = TestApp::start().await;
    let raph = app.register_api("raph").await;
    let zed = app.register_api("zed").await;
    for name in ["gimp", "gtk"] {
        let (status, _) = create(&app, &raph, json!({"name": name, "description": "x"})).await;
        assert_eq!(status, StatusCode::CREATED);
    }

    let (status, body) = relate(&app, &zed, "gimp", "user").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"project": "gimp", "relation": "user"})));
    assert_eq!(relate(&app, &zed, "GIMP", "developer").await.0, StatusCode::OK, "changed");
    assert_eq!(relate(&app, &raph, "gimp", "lead developer").await.0, StatusCode::OK);
    assert_eq!(relate(&app, &zed, "gtk", "documenter").await.0, StatusCode::OK);

    let (_, gimp) = get(&app, "/api/v1/projects/gimp").await;
    assert_eq!(
        gimp["people"],
        json!([{"name": "raph", "relation": "lead developer"},
            {"name": "zed", "relation": "developer"}])
    );
    let (_, person) = get(&app, "/api/v1/people/zed").await;
    assert_eq!(
        person["projects"],
        json!([{"name": "gimp", "relation": "developer"}, {"name": "gtk", "relation": "documenter"}])
    );

    // Bad relations and unknown projects are refused; nothing changes.
    for bad in ["fan", "Developer", "", "observer"] {
        let (status, body) = relate(&app, &zed, "gimp", bad).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_relation");
    }
    let (status, body) = relate(&app, &zed, "nothing", "user").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = call(
        &app,
        Method::PUT,
        "/api/v1/projects/gimp/relation",
        None,
        Some(json!({"relation": "user"})),
    )
    .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(get(&app, "/api/v1/people/zed").await.1["projects"], person["projects"]);

    // Withdrawing, twice: the second is no error.
    let (status, body) = relate(&app, &zed, "gimp", "none").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"project": "gimp", "relation": "none"})));
    assert_eq!(relate(&app, &zed, "gimp", "none").await.0, StatusCode::OK);
    let (_, gimp) = get(&app, "/api/v1/projects/gimp").await;
    assert_eq!(gimp["people"], json!([{"name": "raph", "relation": "lead developer"}]));
    let (_, person) = get(&app, "/api/v1/people/zed").await;
    assert_eq!(person["projects"], json!([{"name": "gtk", "relation": "documenter"}]));
}

#[tokio::test]
async fn the_project_list_pages_by_name() {
    let app = TestApp::start().await;
    let raph = app.register_api("raph").await;
    for name in ["c", "a", "b"] {
        let body = json!({"name": name, "description": format!("*{name}*")});
        assert_eq!(create(&app, &raph, body).await.0, StatusCode::CREATED);
    }
    let (status, list) = get(&app, "/api/v1/projects?start=1&limit=1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list,
        json!({"total": 3, "projects": [{"name": "b", "description_html": "<p><em>b</em></p>\n",
            "creator": "raph"}]})
    );
    let (_, all) = get(&app, "/api/v1/projects").await;
    let names: Vec<&str> =
        all["projects"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    let (status, body) = get(&app, "/api/v1/projects?limit=101").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_query");
}

//! "Related posts:" under an entry: the same member's entries like it first, then other
//! members', never an unrelated one; the lists follow edits and deletes once the refresher
//! (which `serve` runs) has passed, and the API carries them.

#![allow(clippy::unwrap_used)]

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::harness::TestApp;

/// Runs the related refresher until no list is due, as `serve` does in the background, and
/// lets the page cache see the change (written outside any request).
async fn refreshed(app: &TestApp) {
    while app.state.site.refresh_related().await.unwrap() > 0 {}
    app.caught_up().await;
}

/// The titles under "Related posts:" on a page, in order.
fn related_titles(page: &str) -> Vec<String> {
    let Some(start) = page.find(r#"<section class="related""#) else {
        return Vec::new();
    };
    let section = &page[start..page[start..].find("</section>").unwrap() + start];
    section
        .split("<li><a href=\"")
        .skip(1)
        .map(|item| {
            let title = &item[item.find('>').unwrap() + 1..];
            title[..title.find("</a>").unwrap()].to_owned()
        })
        .collect()
}

async fn entry_json(app: &TestApp, name: &str, number: i64) -> Value {
    let url = app.url(&format!("/api/v1/people/{name}/entries/{number}"));
    Client::new().get(url).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn an_entry_ends_with_its_members_related_posts_then_the_sites() {
    let app = TestApp::start().await;
    let alice = app.register_api("alice").await;
    let bob = app.register_api("bob").await;
    let carol = app.register_api("carol").await;
    let first = app
        .post_entry(
            &alice,
            "SELinux policy modules",
            "Writing SELinux policy modules for Debian packages.",
        )
        .await;
    let second = app
        .post_entry(
            &alice,
            "More SELinux policy",
            "Policy modules again: SELinux labels and Debian.",
        )
        .await;
    let third = app
        .post_entry(&alice, "SELinux on servers", "Running SELinux policy in enforcing mode.")
        .await;
    let garden =
        app.post_entry(&alice, "Gardening", "Tomatoes and beans grow well this summer.").await;
    let bobs = app
        .post_entry(&bob, "Fedora SELinux policy", "The Fedora SELinux policy modules, compared.")
        .await;
    app.post_entry(&carol, "Soup", "Tomato soup with beans, a summer recipe.").await;
    let client = app.browser();
    let (_, page) = app.get(&client, &format!("/person/alice/diary/{first}.html")).await;
    assert!(related_titles(&page).is_empty(), "nothing before the refresher's pass");

    refreshed(&app).await;
    let (status, page) = app.get(&client, &format!("/person/alice/diary/{first}.html")).await;
    assert_eq!(status, StatusCode::OK);
    let titles = related_titles(&page);
    assert_eq!(titles.len(), 3, "{page}");
    // The member's own first, then the site's; never the entry itself nor the garden.
    let mut own = titles[..2].to_vec();
    own.sort();
    assert_eq!(own, ["More SELinux policy", "SELinux on servers"]);
    assert_eq!(titles[2], "Fedora SELinux policy");
    assert!(page.contains(r#"<h2 id="related-heading">Related posts:</h2>"#));
    assert!(page.contains(&format!(r#"<a href="/person/bob/diary/{bobs}.html">Fedora SELinux policy</a> <span class="muted">by bob</span>"#)), "{page}");
    assert!(
        page.contains("<p>The Fedora SELinux policy modules, compared.</p>"),
        "an excerpt: {page}"
    );
    let (_, garden_page) = app.get(&client, &format!("/person/alice/diary/{garden}.html")).await;
    assert_eq!(related_titles(&garden_page), ["Soup"]);

    let json = entry_json(&app, "alice", first).await;
    let related = json["related"].as_array().unwrap();
    assert_eq!(related.len(), 3);
    assert_eq!(related[2]["title"], "Fedora SELinux policy");
    assert_eq!(related[2]["author"], "bob");
    assert!(
        related[2]["url"].as_str().unwrap().ends_with(&format!("/person/bob/diary/{bobs}.html"))
    );

    // An edit makes the entry's list due; its new words bring new neighbours.
    let res = Client::new()
        .put(app.url(&format!("/api/v1/people/alice/entries/{third}")))
        .bearer_auth(&alice)
        .json(&json!({"title": "Tomato harvest", "body": "Tomatoes, beans, soup all summer.", "format": "markdown"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    refreshed(&app).await;
    let titles =
        related_titles(&app.get(&client, &format!("/person/alice/diary/{third}.html")).await.1);
    assert_eq!(titles, ["Gardening", "Soup"]);
    // A deleted entry leaves the lists that named it, and they are computed again.
    let res = Client::new()
        .delete(app.url(&format!("/api/v1/people/bob/entries/{bobs}")))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    refreshed(&app).await;
    let titles =
        related_titles(&app.get(&client, &format!("/person/alice/diary/{second}.html")).await.1);
    assert_eq!(titles, ["SELinux policy modules"]);
}

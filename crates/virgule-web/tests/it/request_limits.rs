//! What one client may hold (issue 15, load and abuse). Slow-loris connections that send
//! their headers a byte at a time are closed once the header timeout passes, the others are
//! served meanwhile, and with every connection slot taken a new client waits at most about one
//! header timeout; a body trickled a byte at a time is answered 408 once the request timeout
//! passes; small forms and calls refuse large bodies (413) while writing routes take them.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use virgule_web::ConnectionLimits;

use crate::harness::{TestApp, TestConfig, syndication_settings, test_site};

const HEADER_TIMEOUT: Duration = Duration::from_millis(700);
const REQUEST_TIMEOUT: Duration = Duration::from_millis(1500);

async fn site(max_connections: usize) -> TestApp {
    let config = TestConfig {
        connections: ConnectionLimits {
            header_timeout: HEADER_TIMEOUT,
            max_connections,
            request_timeout: REQUEST_TIMEOUT,
        },
        ..test_site()
    };
    TestApp::start_configured(syndication_settings(true), config).await
}

/// Opens a connection and sends a request's headers a byte every 100 ms, never finishing
/// them; returns how long the server kept the connection open.
async fn slow_loris(addr: String) -> Duration {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: slow\r\nX-Slow: ").await.unwrap();
    let mut buffer = [0u8; 1024];
    loop {
        tokio::select! {
            read = stream.read(&mut buffer) => {
                // The server closed the connection (or answered 408 and then closed it).
                if matches!(read, Ok(0) | Err(_)) {
                    return started.elapsed();
                }
            }
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                if stream.write_all(b"a").await.is_err() {
                    return started.elapsed();
                }
            }
        }
        if started.elapsed() > Duration::from_secs(30) {
            return started.elapsed();
        }
    }
}

#[tokio::test]
async fn clients_sending_headers_a_byte_at_a_time_are_cut_off_and_starve_nobody() {
    let app = site(256).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let slow: Vec<_> = (0..50).map(|_| tokio::spawn(slow_loris(addr.clone()))).collect();
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Meanwhile an ordinary reader is served, request after request.
    let client = app.browser();
    for _ in 0..10 {
        let started = Instant::now();
        let (status, _) = app.get(&client, "/healthz").await;
        assert_eq!(status, 200);
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }
    for task in slow {
        let held = task.await.unwrap();
        assert!(held >= HEADER_TIMEOUT / 2, "closed too early: {held:?}");
        assert!(held < Duration::from_secs(5), "held for {held:?}");
    }
}

#[tokio::test]
async fn with_every_slot_taken_a_new_client_waits_about_one_header_timeout() {
    let app = site(4).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let slow: Vec<_> = (0..4).map(|_| tokio::spawn(slow_loris(addr.clone()))).collect();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    let (status, _) = app.get(&app.browser(), "/healthz").await;
    assert_eq!(status, 200);
    // Served once the slow connections' headers time out, not never.
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    for task in slow {
        task.await.unwrap();
    }
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_is_answered_408_after_the_request_timeout() {
    let app = site(256).await;
    let token = app.register_api("slowpoke").await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/v1/entries HTTP/1.1\r\nHost: slow\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"title\": \""
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    while started.elapsed() < Duration::from_secs(20) {
        tokio::select! {
            read = stream.read(&mut buffer) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            },
            () = tokio::time::sleep(Duration::from_millis(100)) => {
                if stream.write_all(b"a").await.is_err() {
                    break;
                }
            }
        }
        if answer.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(6), "{:?}", started.elapsed());
    let name = virgule_store::MemberName::parse("slowpoke").unwrap();
    let member = app.store.member_by_name(&name).await.unwrap().unwrap();
    assert_eq!(app.store.entry_count_for_member(member.id).await.unwrap(), 0, "nothing stored");
}

/// Small forms and calls (signing in, certifying, rating, flagging) take at most 16 KiB; the
/// writing routes still take long entries.
#[tokio::test]
async fn small_forms_and_calls_refuse_large_bodies_and_writing_routes_do_not() {
    let app = site(256).await;
    let token = app.register_api("writer").await;
    let auth = format!("Bearer {token}");
    let big = "x".repeat(100 * 1024);

    let browser = app.browser();
    let res = browser
        .post(app.url("/acct/login"))
        .form(&[("name", "writer"), ("password", big.as_str()), ("csrf", "t")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);

    let res = browser
        .post(app.url("/api/v1/certs"))
        .header("authorization", &auth)
        .json(&serde_json::json!({"subject": big, "level": "master"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let answer: serde_json::Value = res.json().await.unwrap();
    assert_eq!(answer["code"], "too_large");

    let body = serde_json::json!({"title": "Long", "body": big, "format": "markdown"});
    let res = browser
        .post(app.url("/api/v1/entries"))
        .header("authorization", &auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

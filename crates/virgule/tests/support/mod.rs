//! What the tests of the real `virgule` binary share: running it with a clean slate, a
//! `serve` process and the address it announced, a `worker`, their logs, SIGTERM and SIGKILL,
//! and plain HTTP requests. (Each test binary uses part of it.)

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The binary with a clean slate: none of the caller's `VIRGULE_*` settings, and logs at info
/// (tests read the "listening on" line).
pub fn virgule_bare() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_virgule"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("VIRGULE_") {
            command.env_remove(key);
        }
    }
    command.env("RUST_LOG", "info");
    command
}

/// [`virgule_bare`] with the data in `data_dir`.
pub fn virgule(data_dir: &Path) -> Command {
    let mut command = virgule_bare();
    command.arg("--data-dir").arg(data_dir);
    command
}

pub fn run(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().expect("the virgule binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The binary on a test database (either backend), fetching feeds from loopback, with fetch
/// claims that last `lease_secs`: a node of the multi-process tests (scale-out, crash safety).
pub fn node(db: &virgule_store::testing::TestDb, lease_secs: u64) -> Command {
    let mut command = virgule_bare();
    command
        .args(db.cli_args())
        .env("VIRGULE_FETCH_ALLOW_PRIVATE", "true")
        .env("VIRGULE_FETCH_LEASE_SECS", lease_secs.to_string());
    command
}

/// A running `virgule serve` and the address it announced.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `serve` on an ephemeral port and waits for its "listening on" log line.
    pub fn start(data_dir: &Path) -> Server {
        Self::start_with(data_dir, &[])
    }

    /// [`Server::start`] with extra environment variables.
    pub fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> Server {
        let mut command = virgule(data_dir);
        command.envs(env.iter().copied());
        Self::spawn(command)
    }

    /// Runs `serve` on an ephemeral port with the settings `command` already has.
    pub fn spawn(mut command: Command) -> Server {
        command.args(["serve", "--listen", "127.0.0.1:0"]);
        let (mut child, log) = spawn_logged(&mut command);
        let line = match wait_for_line(&log, "listening on http://") {
            Ok(line) => line,
            Err(seen) => {
                let _ = child.kill();
                panic!("serve did not announce its address; its log:\n{}", seen.join("\n"));
            }
        };
        let rest = line.split("listening on http://").nth(1).unwrap_or_default();
        let addr = rest.split_whitespace().next().unwrap_or_default();
        let addr = addr.parse().expect("the announced address parses");
        Server { child, addr, log }
    }

    /// Sends SIGTERM and returns the exit status, failing if the server takes over 10 s.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        terminate(&mut self.child, &self.log)
    }

    /// Sends SIGKILL (no clean-up at all: a crash) and waits for the process to end.
    pub fn kill(mut self) {
        self.child.kill().expect("the server can be sent SIGKILL");
        self.child.wait().expect("the killed server can be waited on");
    }
}

/// A running `virgule worker`, its log drained for the whole run; killed (SIGKILL) when
/// dropped if still running.
pub struct Worker(pub Child);

impl Worker {
    /// Runs `worker` with the settings `command` already has.
    pub fn spawn(mut command: Command) -> Worker {
        command.arg("worker");
        let (child, log) = spawn_logged(&mut command);
        // Drain its log, so that it never blocks on a full pipe.
        std::thread::spawn(move || while log.recv().is_ok() {});
        Worker(child)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Spawns `command` with its log (stderr) drained line by line into the returned channel for
/// the whole run, so that the process never blocks on, or fails writing to, its pipe.
pub fn spawn_logged(command: &mut Command) -> (Child, mpsc::Receiver<String>) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the virgule binary starts");
    let stderr = child.stderr.take().expect("stderr is piped");
    let (sender, log) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    (child, log)
}

/// The first log line containing `marker` within 60 s, or every line seen before giving up.
pub fn wait_for_line(log: &mpsc::Receiver<String>, marker: &str) -> Result<String, Vec<String>> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while let Ok(line) = log.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if line.contains(marker) {
            return Ok(line);
        }
        seen.push(line);
    }
    Err(seen)
}

/// Sends SIGTERM to `child` and returns its exit status, failing if it takes over 10 s.
pub fn terminate(child: &mut Child, log: &mpsc::Receiver<String>) -> std::process::ExitStatus {
    let status =
        Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("the child can be waited on") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let log: Vec<String> = log.try_iter().collect();
            panic!("the process did not stop within 10 s of SIGTERM; its log:\n{}", log.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A failed assertion must not leave a server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.0 GET: the status code and the body.
pub fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    request(addr, "GET", path, &[], "")
}

/// A plain HTTP/1.0 request with a JSON body: the status code and the body.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    try_request(addr, method, path, headers, body)
        .unwrap_or_else(|e| panic!("{method} {path} on {addr} failed: {e}"))
}

/// [`request`] that returns a refused, reset or cut-off exchange as an error instead of
/// failing: what a client sees while the server is being killed.
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    write!(stream, "{head}\r\n{body}")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split_whitespace().nth(1).and_then(|code| code.parse().ok());
    let status = status.ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("no status line in {response:?}"),
        )
    })?;
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    Ok((status, body))
}

//! moto, the emulator for S3 (and Lambda, IAM, STS, CodeDeploy), on a free loopback port for
//! the life of one value. It is started through `moto_server.py` beside this file, which
//! returns the deployment groups' alarm configuration that moto stores but leaves out.
//!
//! The server is tied to the test process twice: `Drop` stops it, and a watchdog stops it when
//! the process ends without dropping it (a `static` server, a panic that aborts, a killed test
//! binary), so no test run leaves a server behind.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use tempfile::TempDir;

pub use super::{free_port, venv};

/// How long a server may take to answer its first request; moto imports every service's model
/// at start, which takes a few seconds on a busy two-core machine.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Ports tried before giving up: another process may take a free port before the server binds
/// it.
const START_ATTEMPTS: u32 = 3;

/// Asked until the server answers: a path of moto's own API, because `GET /` is an S3
/// ListBuckets, which would use up one of the requests `INITIAL_NO_AUTH_ACTION_COUNT` lets
/// through unauthenticated.
const READY_PATH: &str = "/moto-api/config";

pub struct Moto {
    /// `http://127.0.0.1:PORT`: an IP, so the S3 client addresses buckets path-style.
    pub endpoint: String,
    child: Child,
    watchdog: Option<(Child, ChildStdin)>,
    /// Holds the server's log; removed after the server stops.
    dir: TempDir,
}

impl Moto {
    /// Starts a fresh moto (empty state) and waits until it answers HTTP. Panics with the
    /// server's log when it does not come up: a test cannot go on without it.
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// Like `start`, with extra environment variables for the server, e.g.
    /// `INITIAL_NO_AUTH_ACTION_COUNT`, after which moto authorises every request against the
    /// IAM policies of the caller's access key.
    pub fn start_with(env: &[(&str, &str)]) -> Moto {
        Moto::launch(&[], env)
    }

    /// Like `start`, serving HTTPS with the certificate and key in these PEM files; the
    /// endpoint is `https://127.0.0.1:PORT`.
    pub fn start_tls(cert: &Path, key: &Path) -> Moto {
        let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
        Moto::launch(&["-c", cert, "-k", key], &[])
    }

    fn launch(args: &[&str], env: &[(&str, &str)]) -> Moto {
        let tls = !args.is_empty();
        let python = venv().join("bin").join("python");
        // moto's own server, less its missing alarm configuration: see the launcher's docstring.
        let launcher = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/emulators/moto_server.py");
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            let dir = tempfile::tempdir().expect("a temporary directory for moto's log");
            let log_path = dir.path().join("moto.log");
            let log = std::fs::File::create(&log_path).expect("moto's log file");
            let port = free_port();
            let child = Command::new(&python)
                .arg(&launcher)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .args(args)
                .current_dir(dir.path())
                .envs(env.iter().copied())
                // Detached from the test's pipes: a harness that captures output would
                // otherwise wait for the server to close them.
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("moto's log file"))
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start moto from the emulator venv: {e}"));
            let scheme = if tls { "https" } else { "http" };
            let mut moto = Moto {
                endpoint: format!("{scheme}://127.0.0.1:{port}"),
                watchdog: watchdog(child.id()),
                child,
                dir,
            };
            let ready = if tls {
                // moto binds its port once it has loaded, so a connection accepted is a
                // server ready; this harness speaks no TLS to ask it more.
                poll_connect(port, START_TIMEOUT, &mut moto.child)
            } else {
                poll_http(
                    &moto.endpoint,
                    READY_PATH,
                    START_TIMEOUT,
                    Some(&mut moto.child),
                )
            };
            match ready {
                Ok(()) => return moto,
                Err(e) => failures.push(format!("{e}\n--- moto log ---\n{}", moto.log())),
            }
        }
        panic!(
            "moto did not come up in {START_ATTEMPTS} attempts:\n{}",
            failures.join("\n")
        );
    }

    /// What the server wrote so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("moto.log")).unwrap_or_default()
    }

    /// Forgets every resource of every service, for tests that share one server.
    pub fn reset(&self) {
        let answer = http(&self.endpoint, "POST", "/moto-api/reset")
            .unwrap_or_else(|e| panic!("moto reset: {e}\n--- moto log ---\n{}", self.log()));
        assert!(status_of(&answer) == Some("200"), "moto reset: {answer}");
    }

    /// One IAM call in IAM's query protocol, e.g. `iam("CreateUser", &[("UserName", "ada")])`;
    /// the answer's XML. The crate has no IAM client. The request is not really signed: moto
    /// routes it by the credential scope's service and checks no signature while it lets
    /// requests through unauthenticated, which without `INITIAL_NO_AUTH_ACTION_COUNT` is always.
    pub fn iam(&self, action: &str, params: &[(&str, &str)]) -> String {
        let mut body = format!("Action={action}&Version=2010-05-08");
        for (name, value) in params {
            body += &format!("&{name}={}", form_encode(value));
        }
        let headers = "Content-Type: application/x-www-form-urlencoded\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0\r\n";
        // IAM's first call loads its managed policies, which takes seconds on a busy machine.
        let answer = request(
            &self.endpoint,
            "POST",
            "/",
            headers,
            &body,
            Duration::from_secs(30),
        )
        .unwrap_or_else(|e| panic!("iam {action}: {e}\n--- moto log ---\n{}", self.log()));
        assert!(status_of(&answer) == Some("200"), "iam {action}: {answer}");
        answer
    }

    /// An SDK config aimed at this server: region us-east-1, static test credentials, one
    /// attempt (a test that expects an error fails fast instead of retrying), short timeouts.
    pub fn sdk_config(&self) -> SdkConfig {
        super::sdk_config(&self.endpoint)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some((mut watchdog, stdin)) = self.watchdog.take() {
            drop(stdin);
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A shell that stops `pid` once its stdin closes, which happens when this process ends in any
/// way, since only this process holds the pipe's other end (Rust opens pipes close-on-exec, so
/// no other child inherits it). `read` is a shell builtin: the watchdog is one process.
fn watchdog(pid: u32) -> Option<(Child, ChildStdin)> {
    let mut child = Command::new("sh")
        .args([
            "-c",
            r#"while read -r _; do :; done; kill "$0" 2>/dev/null"#,
            &pid.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let stdin = child.stdin.take()?;
    Some((child, stdin))
}

/// Polls `url` (plain HTTP on loopback) until it answers with any HTTP status, for up to 30 s.
/// Panics with the contents of the server's `log` when it does not.
pub fn wait_for_http(url: &str, log: &Path) {
    if let Err(e) = poll_http(url, "/", START_TIMEOUT, None) {
        panic!(
            "{e}\n--- server log ---\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
    }
}

/// Like `wait_for_http`, asking `path`, and gives up at once when `server` exits (a port taken
/// meanwhile).
fn poll_http(
    url: &str,
    path: &str,
    timeout: Duration,
    mut server: Option<&mut Child>,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(Ok(Some(status))) = server.as_mut().map(|s| s.try_wait()) {
            return Err(format!("the server exited ({status}) before answering"));
        }
        if let Ok(answer) = http(url, "GET", path)
            && answer.starts_with("HTTP/")
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the server did not answer HTTP within {}s",
                timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until loopback `port` accepts a connection, giving up at once when `server` exits.
fn poll_connect(port: u16, timeout: Duration, server: &mut Child) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = server.try_wait() {
            return Err(format!("the server exited ({status}) before listening"));
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the server did not listen within {}s",
                timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// One HTTP/1.0 request with an empty body; the whole answer as text.
fn http(base: &str, method: &str, path: &str) -> Result<String, String> {
    request(base, method, path, "", "", Duration::from_secs(2))
}

/// One HTTP/1.0 request with `headers` (each line ending in CRLF) and `body`, answered within
/// `limit`; the whole answer as text.
fn request(
    base: &str,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
    limit: Duration,
) -> Result<String, String> {
    let host = base
        .strip_prefix("http://")
        .ok_or("not an http URL")?
        .trim_end_matches('/');
    let mut conn = TcpStream::connect(host).map_err(|e| e.to_string())?;
    let limit = Some(limit);
    conn.set_read_timeout(limit).map_err(|e| e.to_string())?;
    conn.set_write_timeout(limit).map_err(|e| e.to_string())?;
    write!(
        conn,
        "{method} {path} HTTP/1.0\r\nHost: {host}\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

fn status_of(answer: &str) -> Option<&str> {
    answer.split(' ').nth(1)
}

/// The text of the first `<tag>` element of an XML answer.
pub fn xml_text<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let len = xml[start..].find(&format!("</{tag}>"))?;
    Some(&xml[start..start + len])
}

/// `s` as a value of a form-encoded body.
fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

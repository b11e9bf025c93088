//! ministack, the emulator that speaks CloudWatch in the protocol the current SDK uses (RPC v2
//! CBOR), on a free loopback port for the life of one value.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::SdkConfig;

use super::{free_port, venv};
use tempfile::TempDir;

pub struct Ministack {
    /// `http://127.0.0.1:PORT`: an IP, not `localhost`, so no lookup picks another address.
    pub endpoint: String,
    child: Child,
    /// Holds the server's log and any state it writes; removed after the server stops.
    dir: TempDir,
}

impl Ministack {
    /// Starts a fresh ministack (empty state) and waits until it answers its health check.
    /// Panics with the server's log when it does not come up: a test cannot go on without it.
    pub fn start() -> Ministack {
        let bin: PathBuf = venv().join("bin").join("ministack");
        let port = free_port();
        let dir = tempfile::tempdir().expect("a temporary directory for ministack");
        let log = std::fs::File::create(dir.path().join("ministack.log")).expect("ministack log");
        let child = Command::new(&bin)
            .env("GATEWAY_PORT", port.to_string())
            // Loopback only, and without the IoT and SFTP listeners it would otherwise open.
            .env("BIND_HOST", "127.0.0.1")
            .env("IOT_MTLS_ENABLED", "0")
            .env("SFTP_ENABLED", "0")
            // Never load or save state across runs, whatever the caller's environment says.
            .env("PERSIST_STATE", "0")
            .env("STATE_DIR", dir.path().join("state"))
            .env("S3_DATA_DIR", dir.path().join("s3"))
            .current_dir(dir.path())
            // Detached from the test's pipes: a harness that captures output would otherwise
            // wait for the server to close them.
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("ministack log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut server = Ministack {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
            dir,
        };
        if let Err(e) = wait_for_http(
            &format!("{}/_ministack/health", server.endpoint),
            Duration::from_secs(30),
            &mut server.child,
        ) {
            panic!(
                "ministack did not come up: {e}\n--- log ---\n{}",
                server.log()
            );
        }
        server
    }

    /// What the server wrote so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("ministack.log")).unwrap_or_default()
    }

    /// An SDK config aimed at this server: region us-east-1, static test credentials, one
    /// attempt (a test that expects an error fails fast instead of retrying), short timeouts.
    pub fn sdk_config(&self) -> SdkConfig {
        super::sdk_config(&self.endpoint)
    }
}

impl Drop for Ministack {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `url` (plain http on loopback) until it answers 200, the server exits, or `timeout`.
fn wait_for_http(url: &str, timeout: Duration, server: &mut Child) -> Result<(), String> {
    let rest = url.strip_prefix("http://").ok_or("not an http URL")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = server.try_wait() {
            return Err(format!("the server exited ({status})"));
        }
        if let Ok(mut conn) = TcpStream::connect(host) {
            let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
            let mut answer = String::new();
            if write!(conn, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").is_ok()
                && conn.read_to_string(&mut answer).is_ok()
                && answer.split(' ').nth(1) == Some("200")
            {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            return Err(format!("no 200 from {url} within {}s", timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

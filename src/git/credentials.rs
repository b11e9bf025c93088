//! Credentials for real remotes, tried in the order git users expect: for ssh the agent, then
//! the default key files; for https the git credential helpers. Each is tried once, and the
//! last failure's reason is what the error says.
//!
//! The server's ssh host key is checked by libgit2 against `~/.ssh/known_hosts` (hashed
//! entries and `[host]:port` included); the callback here only notes the key, so that an
//! unknown or changed key becomes an error naming the host and its fingerprint instead of
//! libgit2's bare "invalid or unknown remote ssh hostkey". Nothing is trusted on first use.

use base64::Engine;
use git2::{CertificateCheckStatus, Config, Cred, CredentialType, RemoteCallbacks};
use std::cell::RefCell;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use super::network::{HostKey, Transfer};

/// The key files ssh itself tries, in its order, below `~/.ssh`.
const DEFAULT_KEYS: [&str; 3] = ["id_ed25519", "id_ecdsa", "id_rsa"];

/// libgit2 asks again after every refused credential and has no limit of its own; the
/// credentials are each offered once, and this bounds the asking should a server keep
/// requesting a user name.
const MOST_REQUESTS: usize = 8;

/// What was offered so far, for the error when nothing was accepted.
#[derive(Default)]
struct Offered {
    requests: usize,
    agent: bool,
    keys: usize,
    helper: bool,
    tried: Vec<String>,
    /// Keys left out because they need a passphrase that could not be asked for.
    locked: Vec<PathBuf>,
}

fn default_keys() -> Vec<PathBuf> {
    let Some(home) = std::env::var_os("HOME").map(PathBuf::from) else {
        return Vec::new();
    };
    DEFAULT_KEYS
        .iter()
        .map(|name| home.join(".ssh").join(name))
        .filter(|path| path.is_file())
        .collect()
}

/// Whether the private key file at `path` is encrypted. libssh2 cannot say so itself: handed
/// an encrypted key without its passphrase it fails the whole connection instead of letting
/// the next key be tried, so such keys are recognised before they are offered.
pub(super) fn needs_passphrase(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    // PEM keys (RSA, EC) say so in a header; PKCS#8 in the label.
    if text.contains("Proc-Type: 4,ENCRYPTED") || text.contains("BEGIN ENCRYPTED PRIVATE KEY") {
        return true;
    }
    // OpenSSH's own format: "openssh-key-v1\0", then the cipher's name as a length-prefixed
    // string, "none" when the key is not encrypted.
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(body.trim()) else {
        return false;
    };
    let magic = b"openssh-key-v1\0";
    let Some(rest) = bytes.strip_prefix(magic.as_slice()) else {
        return false;
    };
    let Some((len, rest)) = rest.split_first_chunk::<4>() else {
        return false;
    };
    let cipher = rest.get(..u32::from_be_bytes(*len) as usize);
    cipher.is_some_and(|c| c != b"none")
}

/// Asks for `key`'s passphrase on the terminal without echoing it; `None` when there is no
/// terminal to ask on, the cockpit holds it in raw mode, or the person gave up (Ctrl-C, Esc,
/// Ctrl-D).
fn ask_passphrase(key: &Path) -> Option<String> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return None;
    }
    // Raw mode means the cockpit draws on the terminal: a prompt would corrupt its screen and
    // its input loop would race this read.
    if crossterm::terminal::is_raw_mode_enabled().unwrap_or(true) {
        return None;
    }
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "Enter passphrase for key {}: ", key.display());
    let _ = stderr.flush();
    // Raw mode turns the echo off; it is left again before returning, whatever happened.
    crossterm::terminal::enable_raw_mode().ok()?;
    let mut typed = Vec::new();
    let mut given = true;
    for byte in std::io::stdin().lock().bytes() {
        match byte {
            Ok(b'\r' | b'\n') => break,
            Ok(0x03 | 0x1b) | Err(_) => {
                given = false;
                break;
            }
            Ok(0x04) if typed.is_empty() => {
                given = false;
                break;
            }
            Ok(0x7f | 0x08) => {
                typed.pop();
            }
            Ok(b) => typed.push(b),
        }
    }
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = writeln!(stderr);
    given.then(|| String::from_utf8_lossy(&typed).into_owned())
}

fn refused(url: &str, offered: &Offered) -> git2::Error {
    let tried = if offered.tried.is_empty() {
        "nothing: no ssh agent, no key in ~/.ssh (id_ed25519, id_ecdsa, id_rsa), no credential helper".to_string()
    } else {
        offered.tried.join(", ")
    };
    let mut message = format!("{url} accepted none of the credentials offered (tried {tried})");
    if !offered.locked.is_empty() {
        let keys: Vec<String> = offered
            .locked
            .iter()
            .map(|k| k.display().to_string())
            .collect();
        message.push_str(&format!(
            "; {} needs its passphrase, which is only asked for on a terminal: load it into the ssh agent with `ssh-add {}`",
            keys.join(" and "),
            keys.join(" ")
        ));
    }
    git2::Error::new(git2::ErrorCode::Auth, git2::ErrorClass::Callback, message)
}

/// Callbacks that answer credential requests and end the transfer when `transfer` says so.
/// `ask` allows asking for a key's passphrase on the terminal.
/// `url` is the remote's, for the port a host key is recorded under.
pub(super) fn callbacks<'a>(
    config: Option<Config>,
    url: Option<&str>,
    transfer: &'a Transfer,
    ask: bool,
) -> RemoteCallbacks<'a> {
    let port = url.and_then(ssh_port);
    let mut callbacks = RemoteCallbacks::new();
    let offered = RefCell::new(Offered::default());
    let keys = default_keys();
    callbacks.credentials(move |url, username, allowed| {
        if !transfer.alive() {
            return Err(git2::Error::from_str("cancelled"));
        }
        let mut offered = offered.borrow_mut();
        offered.requests += 1;
        if offered.requests > MOST_REQUESTS {
            return Err(refused(url, &offered));
        }
        let user = username.unwrap_or("git");
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(user);
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            if !offered.agent {
                offered.agent = true;
                if std::env::var_os("SSH_AUTH_SOCK").is_some() {
                    offered.tried.push("the ssh agent".into());
                    return Cred::ssh_key_from_agent(user);
                }
            }
            while let Some(key) = keys.get(offered.keys) {
                offered.keys += 1;
                let passphrase = if needs_passphrase(key) {
                    match ask.then(|| ask_passphrase(key)).flatten() {
                        Some(passphrase) => Some(passphrase),
                        None => {
                            offered.tried.push(format!(
                                "{} (skipped: it needs its passphrase)",
                                key.display()
                            ));
                            offered.locked.push(key.clone());
                            continue;
                        }
                    }
                } else {
                    None
                };
                offered.tried.push(key.display().to_string());
                if let Ok(cred) = Cred::ssh_key(user, None, key, passphrase.as_deref()) {
                    return Ok(cred);
                }
            }
            return Err(refused(url, &offered));
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT)
            && !offered.helper
            && let Some(config) = &config
        {
            offered.helper = true;
            offered.tried.push("the git credential helper".into());
            return Cred::credential_helper(config, url, username);
        }
        if allowed.contains(CredentialType::DEFAULT) && offered.tried.is_empty() {
            offered.tried.push("the default credentials".into());
            return Cred::default();
        }
        Err(refused(url, &offered))
    });
    callbacks.certificate_check(move |cert, host| {
        if let Some(key) = cert.as_hostkey() {
            transfer.saw_host_key(HostKey {
                host: host.to_string(),
                port,
                kind: key.hostkey_type().map(|t| t.name().to_string()),
                sha256: key
                    .hash_sha256()
                    .map(|h| base64::engine::general_purpose::STANDARD_NO_PAD.encode(h)),
            });
        }
        // libgit2 decides, from ~/.ssh/known_hosts for ssh and the system's roots for https.
        Ok(CertificateCheckStatus::CertificatePassthrough)
    });
    callbacks.transfer_progress(|_| transfer.alive());
    callbacks.push_negotiation(|_| {
        if transfer.alive() {
            Ok(())
        } else {
            Err(git2::Error::from_str("cancelled"))
        }
    });
    callbacks
}

/// The port of an `ssh://` URL when it names one other than 22; scp-like `user@host:path`
/// addresses have none.
fn ssh_port(url: &str) -> Option<u16> {
    let rest = ["ssh://", "ssh+git://", "git+ssh://"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))?;
    let authority = rest.split('/').next()?;
    let host_port = authority.rsplit('@').next()?;
    let (_, port) = host_port.rsplit_once(':')?;
    port.parse().ok().filter(|&p| p != 22)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keygen(dir: &Path, name: &str, passphrase: &str, format: &[&str]) -> PathBuf {
        let path = dir.join(name);
        let out = std::process::Command::new("ssh-keygen")
            .args(["-q", "-N", passphrase, "-f"])
            .arg(&path)
            .args(format)
            .output()
            .expect("ssh-keygen must be installed for this test");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        path
    }

    #[test]
    fn encrypted_keys_are_told_from_plain_ones_in_every_format() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for (name, format) in [
            ("ed", &["-t", "ed25519"][..]),
            ("rsa-pem", &["-t", "rsa", "-b", "2048", "-m", "PEM"][..]),
            ("ec-pkcs8", &["-t", "ecdsa", "-m", "PKCS8"][..]),
        ] {
            let plain = keygen(d, &format!("{name}-plain"), "", format);
            let locked = keygen(d, &format!("{name}-locked"), "secret words", format);
            assert!(!needs_passphrase(&plain), "{name} without a passphrase");
            assert!(needs_passphrase(&locked), "{name} with a passphrase");
        }
        assert!(!needs_passphrase(&d.join("missing")));
    }

    #[test]
    fn the_port_of_an_ssh_url_is_read_when_it_is_not_22() {
        assert_eq!(
            ssh_port("ssh://git@127.0.0.1:2222/srv/fork.git"),
            Some(2222)
        );
        assert_eq!(ssh_port("ssh://[::1]:2200/fork.git"), Some(2200));
        assert_eq!(ssh_port("ssh://git@example.com/fork.git"), None);
        assert_eq!(ssh_port("ssh://git@example.com:22/fork.git"), None);
        assert_eq!(ssh_port("git@example.com:team/fork.git"), None);
        assert_eq!(ssh_port("https://example.com:8443/fork.git"), None);
    }
}

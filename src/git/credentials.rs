//! Credentials for real remotes, tried in the order git users expect: for ssh the agent, then
//! the default key files; for https the git credential helpers. Each is tried once, and the
//! last failure's reason is what the error says.

use git2::{Config, Cred, CredentialType, RemoteCallbacks};
use std::cell::RefCell;
use std::path::PathBuf;

use super::network::Transfer;

/// The key files ssh itself tries, in its order, below `~/.ssh`.
const DEFAULT_KEYS: [&str; 3] = ["id_ed25519", "id_ecdsa", "id_rsa"];

/// What was offered so far, for the error when nothing was accepted.
#[derive(Default)]
struct Offered {
    agent: bool,
    keys: usize,
    helper: bool,
    tried: Vec<String>,
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

fn refused(url: &str, tried: &[String]) -> git2::Error {
    let tried = if tried.is_empty() {
        "nothing: no ssh agent, no key in ~/.ssh (id_ed25519, id_ecdsa, id_rsa), no credential helper".to_string()
    } else {
        tried.join(", ")
    };
    git2::Error::new(
        git2::ErrorCode::Auth,
        git2::ErrorClass::Callback,
        format!("{url} accepted none of the credentials offered (tried {tried})"),
    )
}

/// Callbacks that answer credential requests and end the transfer when `transfer` says so.
pub(super) fn callbacks<'a>(config: Option<Config>, transfer: &'a Transfer) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    let offered = RefCell::new(Offered::default());
    let keys = default_keys();
    callbacks.credentials(move |url, username, allowed| {
        if !transfer.alive() {
            return Err(git2::Error::from_str("cancelled"));
        }
        let mut offered = offered.borrow_mut();
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
            // Keys with a passphrase fail here: there is no terminal to ask on in the cockpit;
            // such keys belong in the agent.
            while let Some(key) = keys.get(offered.keys) {
                offered.keys += 1;
                offered.tried.push(key.display().to_string());
                if let Ok(cred) = Cred::ssh_key(user, None, key, None) {
                    return Ok(cred);
                }
            }
            return Err(refused(url, &offered.tried));
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
        Err(refused(url, &offered.tried))
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

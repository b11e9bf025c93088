//! Credentials for real remotes: the ssh agent for ssh URLs, the git credential helper for https.

use git2::{Config, Cred, CredentialType, RemoteCallbacks};

/// libgit2 asks again after each refused credential; past this it would loop forever.
const MAX_ATTEMPTS: usize = 3;

/// Callbacks that answer credential requests from `config`'s helpers and the ssh agent.
pub(super) fn callbacks<'a>(config: Option<Config>) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    let mut attempts = 0;
    callbacks.credentials(move |url, username, allowed| {
        attempts += 1;
        if attempts > MAX_ATTEMPTS {
            return Err(git2::Error::new(
                git2::ErrorCode::Auth,
                git2::ErrorClass::Callback,
                format!(
                    "the remote refused the credentials offered {MAX_ATTEMPTS} times for {url}"
                ),
            ));
        }
        let user = username.unwrap_or("git");
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(user);
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            return Cred::ssh_key_from_agent(user);
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT)
            && let Some(config) = &config
        {
            return Cred::credential_helper(config, url, username);
        }
        if allowed.contains(CredentialType::DEFAULT) {
            return Cred::default();
        }
        Err(git2::Error::new(
            git2::ErrorCode::Auth,
            git2::ErrorClass::Callback,
            format!("no ssh agent key or credential helper answered for {url}"),
        ))
    });
    callbacks
}

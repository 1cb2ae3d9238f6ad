//! A registry client from the command line's `--proxy` and `--username`.

use opk_registry::{Client, Credentials, NativeTransport, Route};

use crate::args::Registry;

/// The environment variable holding the registry password (never a command-line argument).
pub const PASSWORD_ENV: &str = "OPK_REGISTRY_PASSWORD";

/// A native client along the configured route.
pub fn client(r: &Registry) -> Result<Client<NativeTransport>, String> {
    let route = Route::parse(r.proxy.as_deref().unwrap_or_default())
        .map_err(|e| format!("{}: {e}", e.code()))?;
    let mut client = Client::new(NativeTransport::default(), route);
    if let Some(user) = &r.username {
        let password = std::env::var(PASSWORD_ENV)
            .map_err(|_| format!("--username needs the password in {PASSWORD_ENV}"))?;
        client = client.with_credentials(Credentials {
            username: user.clone(),
            password,
        });
    }
    Ok(client)
}

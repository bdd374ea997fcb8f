//! The token endpoint, `POST /{tenant}/oauth2/v2.0/token`, answering as Entra ID does:
//! a bearer token for the one app and secret it knows, AADSTS errors otherwise.

use super::state::{Lookalike, lock};
use serde_json::{Value, json};
use std::collections::HashMap;

/// An answer: status and JSON body.
pub type Reply = (u16, Value);

pub fn token(state: &Lookalike, tenant: &str, form: &[u8]) -> Reply {
    let form: HashMap<String, String> = url::form_urlencoded::parse(form).into_owned().collect();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let app = lock(&state.app).clone();
    let domain = lock(&state.tenant).domain.clone();
    if !tenant.eq_ignore_ascii_case(&domain) && !tenant.eq_ignore_ascii_case(&app.tenant_id) {
        return aadsts(
            400,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    if field("grant_type") != "client_credentials" {
        return aadsts(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
    }
    if !field("scope").ends_with("/.default") {
        return aadsts(
            400,
            "invalid_scope",
            1002012,
            "The provided value for scope is not valid: client credentials need the /.default scope.",
        );
    }
    if !field("client_id").eq_ignore_ascii_case(&app.client_id) {
        let id = field("client_id");
        return aadsts(
            400,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{id}' was not found in the directory '{domain}'."),
        );
    }
    if field("client_secret") != app.secret {
        return aadsts(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{id}'.".replace("{id}", &app.client_id).as_str());
    }
    if app.secret_expired {
        return aadsts(
            401,
            "invalid_client",
            7000222,
            &format!("The provided client secret keys for app '{}' are expired.", app.client_id),
        );
    }
    let lifetime = lock(&state.settings).token_lifetime;
    (
        200,
        json!({"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": state.issue_token()}),
    )
}

fn aadsts(status: u16, error: &str, code: u32, text: &str) -> Reply {
    let trace = "Trace ID: 00000000-0000-0000-0000-000000000000 Correlation ID: 00000000-0000-0000-0000-000000000000 Timestamp: 2026-01-01 00:00:00Z";
    (
        status,
        json!({"error": error, "error_description": format!("AADSTS{code}: {text} {trace}"), "error_codes": [code]}),
    )
}

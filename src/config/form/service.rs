//! The form's service fields: which service (Proofpoint Essentials, or a JSON file for a
//! rehearsal), its stack or API URL, the organisation's domain, the admin and where the
//! admin password comes from; saved into `[target]`.

use super::{
    Field, FieldId, FieldValue, Form, FormError, choice, field, password_text, set_or_remove, table, write_secret,
};
use crate::config::{Config, TargetKind};
use toml_edit::{DocumentMut, value};

const SERVICES: &[&str] = &["Proofpoint Essentials", "file (rehearsal)"];
const STACKS: &[&str] = &["us1", "us2", "us3", "us4", "us5", "eu1"];
const GROUP: &str = "Service";

pub(super) fn fields(config: &Config) -> Vec<Field> {
    let t = config.target.as_ref();
    let text = |v: Option<String>| FieldValue::Text(v.unwrap_or_default());
    let file = t.is_some_and(|t| t.kind == TargetKind::File);
    let place = t.and_then(|t| t.stack.map(|s| format!("{s:?}").to_lowercase()).or_else(|| t.api_url.clone()));
    vec![
        field(FieldId::Service, GROUP, "Service", choice(SERVICES, usize::from(file))),
        field(FieldId::ServiceUrl, GROUP, "Stack or API URL", text(place)),
        field(FieldId::Domain, GROUP, "Domain", text(t.and_then(|t| t.domain.clone()))),
        field(FieldId::AdminUser, GROUP, "Admin user", text(t.and_then(|t| t.user.clone()))),
        field(
            FieldId::AdminPassword,
            GROUP,
            "Admin password",
            FieldValue::Text(password_text(config.target_password.as_ref())),
        ),
        field(
            FieldId::ServiceFile,
            GROUP,
            "File (rehearsal)",
            text(t.and_then(|t| t.path.as_ref().map(|p| p.display().to_string()))),
        ),
    ]
}

pub(super) fn validate(id: FieldId, text: &str) -> Result<(), String> {
    match id {
        FieldId::ServiceUrl if text.is_empty() || STACKS.contains(&text.to_lowercase().as_str()) => Ok(()),
        FieldId::ServiceUrl => match url::Url::parse(text) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
            _ => Err(
                "us1…us5 or eu1, or the API URL (https://us1.proofpointessentials.com/api/v1); empty: ask the service"
                    .into(),
            ),
        },
        FieldId::Domain if text.is_empty() || (text.contains('.') && !text.contains(['@', ' ', '/'])) => Ok(()),
        FieldId::Domain => Err("the organisation's domain, e.g. example.com".into()),
        FieldId::AdminUser if text.is_empty() || text.contains('@') => Ok(()),
        FieldId::AdminUser => Err("the admin's address, e.g. admin@example.com".into()),
        FieldId::AdminPassword if text.is_empty() => Ok(()),
        FieldId::AdminPassword => super::validate_text(FieldId::Password, text),
        _ => Ok(()),
    }
}

/// Writes `[target]` when the service fields say what it is; a new file without them gets
/// none (the example's sample service is taken out).
pub(super) fn write(form: &Form, doc: &mut DocumentMut, new: bool) -> Result<(), FormError> {
    let file = form.choice(FieldId::Service) == 1;
    let given = if file {
        !form.text(FieldId::ServiceFile).is_empty()
    } else {
        [FieldId::Domain, FieldId::AdminUser, FieldId::AdminPassword].iter().any(|id| !form.text(*id).is_empty())
    };
    if !given {
        if new {
            doc.remove("target");
        }
        return Ok(());
    }
    let t = table(doc, "target");
    if file {
        t["kind"] = value("file");
        t["path"] = value(form.text(FieldId::ServiceFile));
        for key in
            ["stack", "api_url", "domain", "user", "password_env", "password_file", "password_command", "password"]
        {
            t.remove(key);
        }
        return Ok(());
    }
    for id in [FieldId::Domain, FieldId::AdminUser, FieldId::AdminPassword] {
        if form.text(id).is_empty() {
            return Err(FormError::Invalid {
                label: form.get(id).label,
                problem: "Proofpoint Essentials needs the domain, the admin user and the admin password".into(),
            });
        }
    }
    t["kind"] = value("essentials");
    t.remove("path");
    write_place(t, form.text(FieldId::ServiceUrl));
    t["domain"] = value(form.text(FieldId::Domain));
    t["user"] = value(form.text(FieldId::AdminUser));
    write_secret(t, "password", form.text(FieldId::AdminPassword));
    Ok(())
}

/// `stack = "us1"`, or `api_url`, or neither (the service is asked which stack serves the domain).
fn write_place(t: &mut toml_edit::Table, text: &str) {
    let lower = text.to_lowercase();
    if STACKS.contains(&lower.as_str()) {
        t["stack"] = value(lower);
        t.remove("api_url");
    } else {
        t.remove("stack");
        set_or_remove(t, "api_url", text);
    }
}

//! Base DN: the entry exists and the bound account can read it.

use super::probe::Probe;
use super::step::{Outcome, Status};
use crate::source::SourceError;
use crate::source::ldap::error::LdapFailure;
use crate::source::ldap::paged::read_entry;

pub(super) async fn check(probe: &mut Probe<'_>) -> Outcome {
    let base = probe.source.base_dn.0.clone();
    let hint = probe.dse.as_ref().and_then(|d| d.suggested_base()).unwrap_or("DC=example,DC=com").to_string();
    let Some(session) = probe.session.as_mut() else {
        return Outcome::skipped("no connection");
    };
    match read_entry(session, &base, &["objectClass"]).await {
        Ok(Some(entry)) => {
            let classes: Vec<String> = entry.texts("objectClass").collect();
            Outcome::ok(format!("{base} exists and is readable")).with("objectClass", classes.join(", "))
        }
        Ok(None) => Outcome::fail(
            format!("{base} is not visible to the bind account"),
            "grant the bind account read access to the Base DN, or check source.base_dn",
        ),
        Err(SourceError::Ldap(LdapFailure::NoSuchBase { base, text, .. })) => {
            let failure = LdapFailure::NoSuchBase { base, text, hint: hint.clone() };
            let mut outcome = Outcome::from_failure(&failure, Status::Fail).with("naming context", hint);
            // Active Directory answers the same for an entry the account may not see.
            outcome.fix = outcome
                .fix
                .map(|fix| format!("{fix} If it does exist, the bind account may not see it: grant it read access."));
            outcome
        }
        Err(e) => Outcome::failed(&e),
    }
}

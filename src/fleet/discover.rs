//! `adsync orgs discover`: a commented skeleton config for each of the partner's organisations
//! that has none yet, with `enabled = false` so nothing runs it until someone fills it in.
//! Never overwrites: an organisation with a file of its name, or whose `[target] domain` an
//! existing file names, is left alone, so running it again writes nothing new.

use crate::config::first_run::{InitError, write_new};
use crate::config::fleet::Fleet;
use crate::model::ChildOrg;
use std::path::PathBuf;

/// What became of one child organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    Written(PathBuf),
    /// It has a config already: this file.
    Configured(PathBuf),
    /// Its domain cannot be a file name.
    Unusable(String),
}

/// Writes the skeletons into the fleet's directory; each child with what became of it.
pub fn write_skeletons(fleet: &Fleet, children: &[ChildOrg]) -> Result<Vec<(ChildOrg, Found)>, InitError> {
    let mut done = Vec::new();
    for child in children {
        let domain = child.primary_domain.trim().to_lowercase();
        let found = if let Some(file) = configured(fleet, &domain) {
            Found::Configured(file)
        } else if !usable(&domain) {
            Found::Unusable(domain.clone())
        } else {
            let path = fleet.dir.join(format!("{domain}.toml"));
            match write_new(&path, &skeleton(child, &domain)) {
                Ok(()) => Found::Written(path),
                Err(InitError::Exists { path }) => Found::Configured(path),
                Err(e) => return Err(e),
            }
        };
        done.push((child.clone(), found));
    }
    Ok(done)
}

/// The file of an organisation called `domain`, or whose service domain is `domain`.
fn configured(fleet: &Fleet, domain: &str) -> Option<PathBuf> {
    fleet
        .orgs
        .iter()
        .find(|o| {
            o.name.eq_ignore_ascii_case(domain)
                || o.config
                    .as_ref()
                    .ok()
                    .and_then(|c| c.target.as_ref()?.domain.as_deref())
                    .is_some_and(|d| d.eq_ignore_ascii_case(domain))
        })
        .map(|o| o.file.clone())
}

/// A domain name that is safe as a file name: letters, digits, dots and hyphens.
fn usable(domain: &str) -> bool {
    !domain.is_empty()
        && !domain.starts_with(['.', '-'])
        && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// The skeleton: a valid config (anonymous bind to a placeholder server) that is not
/// scheduled, with every line to change commented.
pub fn skeleton(child: &ChildOrg, domain: &str) -> String {
    let name = child.name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or(domain);
    let url = child
        .ldap_url
        .as_deref()
        .filter(|u| u.starts_with("ldap"))
        .map_or_else(|| format!("ldaps://dc1.{domain}:636"), str::to_string);
    let base = child.ldap_basedn.as_deref().filter(|b| b.contains('=')).map_or_else(
        || domain.split('.').map(|label| format!("DC={label}")).collect::<Vec<_>>().join(","),
        str::to_string,
    );
    let from_service = if child.ldap_url.is_some() { "   # from the service's own LDAP sync settings" } else { "" };
    format!(
        "# {name} ({domain}): written by `adsync orgs discover` from the partner's organisations.\n\
         # Fill in the directory (and, if you like, [sync]), check it with\n\
         #   adsync --org {domain} check\n\
         #   adsync --org {domain} plan\n\
         # then set enabled = true: `adsync schedule --all` leaves it alone until then.\n\
         # Every key is documented in adsync.example.toml.\n\
         enabled = false\n\n\
         [source]\n\
         kind = \"ldap\"\n\
         url = \"{url}\"{from_service}\n\
         base_dn = \"{base}\"\n\
         # bind_dn = \"svc-sync@{domain}\"\n\
         # password_env = \"ADSYNC_BIND_PASSWORD_{env}\"\n\n\
         [sync]\n\
         default_role = \"silent_user\"\n\
         frequency = \"off\"          # \"1h\" … \"24h\" once it is filled in\n\
         auto_apply = false\n\n\
         [target]\n\
         kind = \"essentials\"\n\
         domain = \"{domain}\"\n\
         credentials = \"partner\"     # the partner admin of the main config's [partner]\n",
        env = domain.to_uppercase().replace(['.', '-'], "_"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn a_skeleton_is_a_valid_config_that_is_not_scheduled() {
        let child =
            ChildOrg { primary_domain: "acme.example".into(), name: Some("ACME".into()), ..ChildOrg::default() };
        let text = skeleton(&child, "acme.example");
        let err = Config::parse(&text, "acme.example.toml").unwrap_err().to_string();
        assert!(err.contains("target.credentials") && err.contains("orgs.d"), "only an organisation may: {err}");
        let on_its_own = text.replace("credentials = \"partner\"", "user = \"a@x.com\"\npassword_env = \"X\"");
        let config = Config::parse(&on_its_own, "acme.example.toml").unwrap();
        assert!(!config.enabled);
        assert_eq!(config.source.ldap().unwrap().base_dn.0, "DC=acme,DC=example");
        assert!(text.starts_with("# ACME (acme.example)"), "{text}");
    }

    #[test]
    fn the_service_s_ldap_settings_seed_the_source() {
        let child = ChildOrg {
            primary_domain: "b.example".into(),
            ldap_url: Some("ldaps://dc.b.example:636".into()),
            ldap_basedn: Some("DC=b,DC=example".into()),
            ..ChildOrg::default()
        };
        let text = skeleton(&child, "b.example");
        assert!(text.contains("url = \"ldaps://dc.b.example:636\"   # from the service's"), "{text}");
    }

    #[test]
    fn only_domain_names_become_file_names() {
        assert!(usable("acme.example") && usable("a-b.example"));
        assert!(!usable("../x") && !usable("a/b") && !usable(".hidden") && !usable(""));
    }
}

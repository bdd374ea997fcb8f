//! The checks of a fleet: the main config beside `orgs.d` (`[partner]`, `[fleet]`, `[notify]`
//! and `state_dir`, nothing else), and an organisation's `[target]` that signs in with the
//! partner's credentials.

use super::{Checker, check_api_url, check_service_address, runs};
use crate::config::error::{ConfigError, SourceText};
use crate::config::fleet::{FleetMain, FleetSettings, PARTNER_PASSWORD, PartnerConfig, RawFleetMain, RawPartner};
use crate::config::locate::KeyIndex;
use crate::config::schema::{PasswordKeys, TargetConfig};
use crate::config::secret::SecretSource;

/// The most organisations `adsync schedule --all` runs at once.
const MAX_PARALLEL: u32 = 64;

pub fn validate_main(raw: RawFleetMain, source: &SourceText<'_>, index: &KeyIndex) -> Result<FleetMain, ConfigError> {
    let mut check = Checker { source, index, warnings: Vec::new(), context: Default::default() };
    check_fleet(&check, &raw.fleet)?;
    let partner = raw.partner.as_ref().map(|p| partner(&mut check, p)).transpose()?;
    let notify = runs::check_notify(&check, raw.notify)?;
    Ok(FleetMain { state_dir: raw.state_dir, partner, fleet: raw.fleet, notify, warnings: check.warnings })
}

fn check_fleet(check: &Checker<'_>, fleet: &FleetSettings) -> Result<(), ConfigError> {
    if !(1..=MAX_PARALLEL).contains(&fleet.max_parallel) {
        return Err(check.fail(
            "fleet.max_parallel",
            format!("max_parallel must be between 1 and {MAX_PARALLEL} (organisations synced at the same time)"),
        ));
    }
    Ok(())
}

fn partner(check: &mut Checker<'_>, raw: &RawPartner) -> Result<PartnerConfig, ConfigError> {
    if raw.stack.is_some() && raw.api_url.is_some() {
        return Err(check.fail("partner.api_url", "set either stack or api_url, not both"));
    }
    if let Some(url) = &raw.api_url {
        check_api_url(check, "partner.api_url", url)?;
    }
    for (key, value) in [("domain", &raw.domain), ("user", &raw.user)] {
        if value.trim().is_empty() {
            return Err(check.fail(&format!("partner.{key}"), format!("{key} must not be empty")));
        }
    }
    let keys = PasswordKeys {
        names: &PARTNER_PASSWORD,
        env: raw.password_env.as_deref(),
        file: raw.password_file.as_deref(),
        command: raw.password_command.as_deref(),
        plain: None,
    };
    let password = check.password("partner", keys)?.ok_or_else(|| {
        check.fail_missing(
            "partner",
            "password_env",
            "[partner] needs the partner admin's password: add password_env, password_file or password_command",
        )
    })?;
    Ok(PartnerConfig {
        domain: raw.domain.trim().to_lowercase(),
        stack: raw.stack,
        api_url: raw.api_url.clone(),
        user: raw.user.trim().to_string(),
        password,
    })
}

/// `[target] credentials = "partner"`: the organisation's domain with the partner admin's user,
/// password and stack (unless the organisation names its own stack or API URL).
pub(super) fn partner_target(check: &mut Checker<'_>, target: &mut TargetConfig) -> Result<SecretSource, ConfigError> {
    if !check.context.organisation {
        return Err(check.fail(
            "target.credentials",
            "credentials = \"partner\" is for an organisation's file in orgs.d (the main config beside it has \
             [partner]); give this config its own user and password_env",
        ));
    }
    let Some(partner) = check.context.partner else {
        return Err(check.fail(
            "target.credentials",
            "credentials = \"partner\" but the main config has no [partner]: add [partner] (domain, user, \
             password_env) there, or give this organisation its own user and password_env",
        ));
    };
    let own = [
        ("user", target.user.is_some()),
        ("password_env", target.password_env.is_some()),
        ("password_file", target.password_file.is_some()),
        ("password_command", target.password_command.is_some()),
        ("password", target.password.is_some()),
    ];
    if let Some((key, _)) = own.iter().find(|(_, set)| *set) {
        return Err(check.fail(
            &format!("target.{key}"),
            format!("credentials = \"partner\" signs in as the partner admin: remove {key}, or remove credentials"),
        ));
    }
    if target.domain.as_deref().is_none_or(|d| d.trim().is_empty()) {
        return Err(check.fail_missing("target", "domain", "kind = \"essentials\" needs domain"));
    }
    check_service_address(check, target)?;
    if target.stack.is_none() && target.api_url.is_none() {
        target.stack = partner.stack;
        target.api_url = partner.api_url.clone();
    }
    target.user = Some(partner.user.clone());
    Ok(partner.password.clone())
}

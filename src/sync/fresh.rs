//! An update is made onto the account as the service holds it at the moment of writing, not
//! as it was listed when the plan was made: a review can take minutes, users change their
//! own settings meanwhile, and the service may replace the whole object with what it is sent.
//! Pure: the apply reads the account, asks here what to send, and sends it.

use crate::model::Account;

/// What to do with a planned update, given the account as it is now.
#[derive(Clone, Debug, PartialEq)]
pub enum Fresh {
    /// Send this: the fresh account (every field as just read) with adsync's fields changed.
    Send(Box<Account>),
    /// A field adsync manages changed in the service since the plan: the reviewed change no
    /// longer describes what would happen, so it is left for the next plan.
    Changed(Vec<&'static str>),
    /// The account is gone since the plan.
    Gone,
}

impl Fresh {
    /// Why the update was left out, for the report.
    pub fn skip_reason(&self) -> Option<String> {
        match self {
            Fresh::Send(_) => None,
            Fresh::Changed(fields) => Some(format!(
                "changed in the service since the plan ({}); the next plan shows it again",
                fields.join(", ")
            )),
            Fresh::Gone => {
                Some("changed in the service since the plan (the account is gone); the next plan shows it again".into())
            }
        }
    }
}

/// The fields adsync manages that differ between `reviewed` and `now`. The listing and a
/// single read may render an empty name or an unknown role differently (absent, `""`), so only
/// a real value that changed counts; an account that became an admin always does.
pub fn managed_differences(reviewed: &Account, now: &Account) -> Vec<&'static str> {
    let name = |a: &Option<String>, b: &Option<String>| a.as_deref().unwrap_or("") == b.as_deref().unwrap_or("");
    let role = match (&reviewed.account_type, &now.account_type) {
        (Some(a), Some(b)) => a == b,
        _ => !now.is_admin(),
    };
    let checks = [
        ("primary address", reviewed.has_email(&now.primary_email)),
        ("first name", name(&reviewed.first_name, &now.first_name)),
        ("last name", name(&reviewed.last_name, &now.last_name)),
        ("role", role),
        ("active", reviewed.is_active == now.is_active),
        ("aliases", same_addresses(&reviewed.aliases, &now.aliases)),
    ];
    checks.into_iter().filter(|(_, same)| !same).map(|(name, _)| name).collect()
}

/// The planned update (`before` as reviewed, `after` as wanted) made onto `now`.
pub fn onto(before: &Account, after: &Account, now: Option<Account>) -> Fresh {
    let Some(mut body) = now else { return Fresh::Gone };
    let changed = managed_differences(before, &body);
    if !changed.is_empty() {
        return Fresh::Changed(changed);
    }
    body.primary_email = after.primary_email.clone();
    body.first_name = after.first_name.clone();
    body.last_name = after.last_name.clone();
    body.account_type = after.account_type.clone();
    body.is_active = after.is_active;
    body.aliases = after.aliases.clone();
    Fresh::Send(Box::new(body))
}

/// Addresses compare without case and without order.
pub fn same_addresses(a: &[String], b: &[String]) -> bool {
    let contains = |list: &[String], x: &String| list.iter().any(|y| y.eq_ignore_ascii_case(x));
    a.len() == b.len() && a.iter().all(|x| contains(b, x)) && b.iter().all(|x| contains(a, x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AccountType;
    use serde_json::json;

    fn listed() -> Account {
        let mut a = Account::new("ann@x.com", AccountType::EndUser);
        a.first_name = Some("Ann".into());
        a.extra.insert("safe_list_senders".into(), json!(["old@friend.com"]));
        a
    }

    #[test]
    fn the_body_is_the_fresh_account_with_only_our_fields_changed() {
        let before = listed();
        let mut after = before.clone();
        after.first_name = Some("Anne".into());
        let mut now = before.clone();
        now.extra.insert("safe_list_senders".into(), json!(["new@friend.com"]));
        now.extra.insert("odin_settings".into(), json!({"x": 1}));
        let Fresh::Send(body) = onto(&before, &after, Some(now.clone())) else { panic!("not sent") };
        assert_eq!(body.first_name.as_deref(), Some("Anne"));
        assert_eq!(body.extra, now.extra, "unmanaged fields as just read, not as listed");
    }

    /// A name, an edit made in the service, the fields the skip names.
    type Case = (&'static str, fn(&mut Account), Vec<&'static str>);

    #[test]
    fn a_managed_field_changed_since_the_plan_skips_the_update() {
        let cases: Vec<Case> = vec![
            ("names", |a| a.last_name = Some("Lee".into()), vec!["last name"]),
            ("role", |a| a.account_type = Some(AccountType::OrganizationAdmin), vec!["role"]),
            ("active", |a| a.is_active = false, vec!["active"]),
            ("aliases", |a| a.aliases.push("a2@x.com".into()), vec!["aliases"]),
            ("address", |a| a.primary_email = "ann2@x.com".into(), vec!["primary address"]),
            ("case only", |a| a.primary_email = "ANN@x.com".into(), vec![]),
            ("an empty name read as absent", |a| a.last_name = Some(String::new()), vec![]),
            ("a role the single read leaves out", |a| a.account_type = None, vec![]),
        ];
        for (name, edit, want) in cases {
            let before = listed();
            let mut now = before.clone();
            edit(&mut now);
            let got = onto(&before, &before, Some(now));
            if want.is_empty() {
                assert!(matches!(got, Fresh::Send(_)), "{name}");
            } else {
                assert_eq!(got, Fresh::Changed(want), "{name}");
                assert!(got.skip_reason().unwrap().starts_with("changed in the service since the plan"), "{name}");
            }
        }
        assert_eq!(onto(&listed(), &listed(), None), Fresh::Gone);
    }
}

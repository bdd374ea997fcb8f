//! A changed primary address counts only once the service shows it: no public source says
//! whether the API's PUT can change `primary_email`, and a service that answers 204 while
//! keeping the old address must not be reported as done (the state would then remember the
//! new address, and the next plan would create it as a second account).

use crate::model::Account;
use crate::target::{Target, TargetError};

/// The way out when renames do not take, named in every rename failure.
const RECREATE: &str = "If the service does not change addresses, set sync.rename = \"recreate\" in [sync]: \
                        it creates the new address and deletes the old account, under the delete guards";

#[derive(Debug, thiserror::Error)]
pub enum RenameFailure {
    #[error(
        "the service accepted the rename of {old} to {new} but {found}; the account keeps its old address and the next plan shows the same rename. {RECREATE}."
    )]
    NotTaken { old: String, new: String, found: String },
    #[error("the service refused to rename {old} to {new} ({cause}). {RECREATE}.")]
    Refused { old: String, new: String, cause: String },
}

/// A refusal of the request itself (bad data, not allowed), as opposed to a taken address
/// (409) or a failure of the service or the credentials.
pub fn refuses(err: &TargetError) -> bool {
    matches!(err, TargetError::Rejected { .. } | TargetError::AccountForbidden { .. })
}

/// Reads the account back at its new address; when it is not there, says where it is. The
/// outer error is a failed read, the inner one a rename that did not take.
pub async fn read_back(target: &dyn Target, old: &str, new: &str) -> Result<Result<(), RenameFailure>, TargetError> {
    let at_new = target.get(new).await?;
    if at_new.as_ref().is_some_and(|a| a.has_email(new)) {
        return Ok(Ok(()));
    }
    let at_old = target.get(old).await?;
    let found = whereabouts(old, new, at_new.as_ref(), at_old.as_ref());
    Ok(Err(RenameFailure::NotTaken { old: old.into(), new: new.into(), found }))
}

/// Where the account is, for the message.
fn whereabouts(old: &str, new: &str, at_new: Option<&Account>, at_old: Option<&Account>) -> String {
    match (at_new, at_old) {
        (Some(a), _) => format!("{new} still leads to the account {}", a.primary_email),
        (None, Some(_)) => format!("the account is still at {old} and {new} does not exist"),
        (None, None) => format!("neither {old} nor {new} exists now"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AccountType;

    #[test]
    fn every_failure_names_the_address_and_the_way_out() {
        let old = Account::new("ann@x.com", AccountType::EndUser);
        let found = whereabouts("ann@x.com", "anne@x.com", None, Some(&old));
        let e = RenameFailure::NotTaken { old: "ann@x.com".into(), new: "anne@x.com".into(), found };
        let text = e.to_string();
        assert!(text.contains("still at ann@x.com and anne@x.com does not exist"), "{text}");
        assert!(text.contains("sync.rename = \"recreate\""), "{text}");
        assert_eq!(whereabouts("a@x", "b@x", Some(&old), None), "b@x still leads to the account ann@x.com");
        let refused = RenameFailure::Refused { old: "a@x".into(), new: "b@x".into(), cause: "422".into() };
        assert!(refused.to_string().contains("sync.rename = \"recreate\""));
    }
}

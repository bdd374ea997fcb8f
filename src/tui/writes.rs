//! The file writes the runner performs for the app. Each returns the input that tells the app
//! how it went, so the message and what follows are decided in `update`.

use super::effect::{ConfigWrite, Input, SaveError, Saved};
use crate::config::exclusions::{add_exemption, toggle_subtree};
use crate::config::form::FormError;
use std::path::Path;

impl ConfigWrite {
    /// Writes the change into the config file at `origin` (none: the demo, nothing to write to).
    pub fn perform(&self, origin: Option<&Path>) -> Input {
        Input::Saved(self.write(origin).map_err(SaveError::from))
    }

    fn write(&self, origin: Option<&Path>) -> Result<Saved, FormError> {
        match self {
            ConfigWrite::ToggleExclusion { dn, source } => toggle_subtree(origin, dn, source.as_deref())
                .map(|excluded| Saved::Exclusion { dn: dn.clone(), source: source.clone(), excluded }),
            ConfigWrite::AddExemption { email } => {
                add_exemption(origin, email).map(|()| Saved::Exemption { email: email.clone() })
            }
            ConfigWrite::SaveSettings(form) => form.save(origin).map(|()| Saved::Settings(form.clone())),
        }
    }
}

/// Writes the log as `adsync-<time>.log` into `dir`, creating it if need be. The log names
/// people, so the file is the owner's only.
pub fn save_log(text: &str, dir: &Path, at: jiff::Timestamp) -> Input {
    let path = dir.join(format!("adsync-{}.log", at.strftime("%Y%m%d-%H%M%S")));
    let written = crate::private_fs::create_dir(dir)
        .and_then(|()| crate::atomic::write_atomic(&path, |out| out.write_all(text.as_bytes())));
    Input::Saved(match written {
        Ok(()) => Ok(Saved::Log(path)),
        Err(source) => Err(SaveError::Log { path, source }),
    })
}

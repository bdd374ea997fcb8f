//! `adsync demo --source graph`: the demo company served by the Graph look-alike, and the
//! config of a graph source that reads it (its CA trusted through ca_file, as for a
//! TLS-inspecting proxy; the client secret in a file).

use super::CliError;
use super::demo::{Demo, DemoArgs, Workspace, shell_quote};
use crate::demo::graph::{CLIENT_ID, CLIENT_SECRET, GraphLookalike, LookalikeOptions};
use std::path::Path;

pub(super) async fn start(args: &DemoArgs, workspace: &Workspace) -> Result<Demo, CliError> {
    let options = LookalikeOptions { users: args.users, port: args.graph_port, ..LookalikeOptions::default() };
    let lookalike = GraphLookalike::start(&options).await?;
    let ca = workspace.write("ca.pem", &lookalike.ca_pem)?;
    let secret = workspace.write("client.secret", CLIENT_SECRET)?;
    let config_text = config_text(&lookalike, &ca, &secret, workspace.path());
    let exports = exports(&lookalike, &ca);
    Ok(Demo { _server: Box::new(lookalike), config_text, exports })
}

fn config_text(lookalike: &GraphLookalike, ca: &Path, secret: &Path, workspace: &Path) -> String {
    format!(
        "# adsync demo: the Microsoft Graph look-alike (valid while the demo runs)\n\
         state_dir = \"{}\"\n\n\
         [source]\nkind = \"graph\"\ntenant = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret_file = \"{}\"\n\
         authority_url = \"{url}\"\ngraph_url = \"{url}\"\nca_file = \"{}\"\ndetect_shared_mailboxes = true\n\n\
         [sync]\ndefault_role = \"silent_user\"\ndelete = true\n\n\
         # the service: a JSON file standing in for it, seeded with sample accounts\n\
         [target]\nkind = \"file\"\npath = \"{}\"\n",
        workspace.join("state").display(),
        lookalike.tenant_name(),
        secret.display(),
        ca.display(),
        workspace.join("service.json").display(),
        url = lookalike.url(),
    )
}

fn exports(lookalike: &GraphLookalike, ca: &Path) -> Vec<String> {
    let users = lookalike.state.tenant.lock().map(|t| t.users.len()).unwrap_or_default();
    vec![
        format!("# adsync demo tenant: {users} users, a Microsoft Graph look-alike. Ctrl-C stops it."),
        format!("export GRAPH_URL={}", shell_quote(&lookalike.url())),
        format!("export GRAPH_AUTHORITY_URL={}", shell_quote(&lookalike.url())),
        format!("export GRAPH_TENANT={}", shell_quote(&lookalike.tenant_name())),
        format!("export GRAPH_CLIENT_ID={}", shell_quote(CLIENT_ID)),
        format!("export GRAPH_CLIENT_SECRET={}", shell_quote(CLIENT_SECRET)),
        format!("export GRAPH_CA_FILE={}", shell_quote(&ca.display().to_string())),
    ]
}

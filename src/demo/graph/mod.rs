//! A Microsoft Graph look-alike serving the demo's generated company as an Entra ID tenant:
//! the token endpoint, users, groups and members in pages, delta rounds, mailbox settings
//! in `$batch`, and faults on demand (throttling, expired tokens, refusals, cut connections).
//! `adsync demo --source graph` runs on it; the test suite and the benchmark use it too.

pub mod api;
pub mod auth;
pub mod faults;
pub mod odata;
pub mod server;
pub mod state;
pub mod tenant;

pub use faults::{Fault, FaultRule};
pub use server::{CLIENT_ID, CLIENT_SECRET, GraphLookalike, LookalikeOptions};
pub use tenant::{Tenant, TenantGroup, TenantUser};

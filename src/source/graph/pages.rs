//! Collections page by page: `@odata.nextLink` followed verbatim until there is none, and
//! for delta queries the `@odata.deltaLink` that ends the round. A page that fails fails
//! the whole walk: nothing shorter than the collection is ever handed back.

use super::client::{Ctx, GraphClient, parse, refusal};
use super::error::GraphError;
use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A loop bound far beyond any tenant (999 objects a page).
const MAX_PAGES: usize = 200_000;

#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
    #[serde(rename = "@odata.deltaLink", default)]
    pub delta_link: Option<String>,
}

/// Every page from `first`, each page's objects handed to `each`; the deltaLink, if any.
pub async fn follow<T: DeserializeOwned>(
    client: &GraphClient,
    first: &str,
    ctx: &Ctx,
    mut each: impl FnMut(Vec<T>),
) -> Result<Option<String>, GraphError> {
    let mut url = first.to_string();
    for n in 1..=MAX_PAGES {
        let page: Page<T> = client.get_json(&url, ctx).await.map_err(|e| e.on_page(n))?;
        each(page.value);
        match page.next_link {
            Some(next) => url = next,
            None => return Ok(page.delta_link),
        }
    }
    Err(GraphError::TooManyPages { path: super::client::path_of(first), pages: MAX_PAGES })
}

/// How a delta round from a stored link ended.
pub enum Round {
    /// Every change since the link, and the link for next time.
    Done { delta_link: String },
    /// Graph no longer knows the link (400 or 410): only a full read can start over.
    Rejected { said: String },
}

/// Follows a delta link to the end of its round.
pub async fn follow_delta<T: DeserializeOwned>(
    client: &GraphClient,
    link: &str,
    ctx: &Ctx,
    mut each: impl FnMut(Vec<T>),
) -> Result<Round, GraphError> {
    let mut url = link.to_string();
    for n in 1..=MAX_PAGES {
        let answer = client.send(Method::GET, &url, None, ctx).await.map_err(|e| e.on_page(n))?;
        if matches!(answer.status, 400 | 410) {
            return Ok(Round::Rejected { said: refusal(&url, &answer).to_string() });
        }
        if !(200..300).contains(&answer.status) {
            return Err(refusal(&url, &answer).on_page(n));
        }
        let page: Page<T> = parse(&url, &answer.body).map_err(|e| e.on_page(n))?;
        each(page.value);
        match (page.next_link, page.delta_link) {
            (Some(next), _) => url = next,
            (None, Some(delta_link)) => return Ok(Round::Done { delta_link }),
            (None, None) => {
                return Err(GraphError::BadAnswer {
                    path: super::client::path_of(&url),
                    detail: "a delta page with neither @odata.nextLink nor @odata.deltaLink".into(),
                });
            }
        }
    }
    Err(GraphError::TooManyPages { path: super::client::path_of(link), pages: MAX_PAGES })
}

//! A repository's tags (`GET /v2/<name>/tags/list?n=…`), one page per call, following the
//! registry's `Link: <…>; rel="next"` (which must stay on that repository's tag list: anything
//! else ends the listing, noted in the fetch log). Each page is bounded in bytes and in tags.
//! Tags are mutable names, not content: what one points to is fetched, and hashed, only when
//! asked for ([`Client::resolve`]).

use opk_verify::limits::{self, Limit, MAX_MANIFEST_BYTES, MAX_TAGS_PER_PAGE};

use crate::client::{expect_ok, next_link, Client};
use crate::route::resolve;
use crate::transport::{Method, Transport};
use crate::{Reference, RegistryError};

/// How many tags a page asks for.
pub const TAGS_PAGE_SIZE: usize = 100;

/// One page of a repository's tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagsPage {
    /// The tags, as the registry listed them.
    pub tags: Vec<String>,
    /// The next page's URL, if the registry says there is one.
    pub next: Option<String>,
}

#[derive(serde::Deserialize)]
struct TagList {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

impl<T: Transport> Client<T> {
    /// The first page of `r`'s repository's tags (`next: None`), or the page at `next` (a URL
    /// an earlier page returned), asking for `page_size` tags.
    pub async fn tags_page(
        &self,
        r: &Reference,
        next: Option<&str>,
        page_size: usize,
    ) -> Result<TagsPage, RegistryError> {
        let first = format!("{}/v2/{}/tags/list", r.base_url(), r.repository());
        let url = match next {
            Some(n) => n.to_owned(),
            None => format!("{first}?n={page_size}"),
        };
        let resp = self
            .send(
                r,
                Method::Get,
                &url,
                "application/json",
                MAX_MANIFEST_BYTES,
                Limit::ManifestBytes,
            )
            .await?;
        expect_ok(&url, &resp)?;
        let list: TagList =
            serde_json::from_slice(&resp.body).map_err(|_| RegistryError::Protocol {
                url: url.clone(),
                reason: "the tag list is not a JSON object with a tags array".into(),
            })?;
        let tags = list.tags.unwrap_or_default();
        limits::check(tags.len(), MAX_TAGS_PER_PAGE, Limit::TagsPerPage)?;
        let next = resp
            .header("link")
            .and_then(next_link)
            .map(|n| resolve(&url, &n));
        let next = match next {
            Some(n) if n.starts_with(&format!("{first}?")) => Some(n),
            Some(_) => {
                self.note(
                    &url,
                    "ignored: the next page is not this repository's tag list",
                );
                None
            }
            None => None,
        };
        Ok(TagsPage { tags, next })
    }
}

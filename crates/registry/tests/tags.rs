//! A repository's tag list against a real `docker-registry` on 127.0.0.1 (Debian's 2.8 lists
//! every tag in one page, unsorted, whatever `n` says); through a lying front, a `Link` to the
//! next page is followed, a forbidden listing is an HTTP error, a next link that leaves the
//! repository's tag list is ignored (noted), an oversized page and a body that is not a tag
//! list are refused.
#![cfg(not(target_arch = "wasm32"))]

use opk_registry::{Client, NativeTransport, Reference, RegistryError, Route, TagsPage};
use opk_testkit::hostile::{HostileProxy, Lie};
use opk_testkit::image::{self, Signing};
use opk_testkit::registry::{Mode, Registry};
use opk_verify::limits::Limit;
use opk_verify::VerifyError;

const REPO: &str = "openpubkey/tags";

fn registry_with(tags: &[&str]) -> Registry {
    let reg = Registry::start(Mode::Plain);
    let f = image::build(
        &format!("{}/{REPO}", reg.addr),
        tags[0],
        &["linux/amd64"],
        Signing::Unsigned,
    );
    for t in tags {
        reg.push(REPO, t, &f);
    }
    reg
}

fn page(
    reg: &Registry,
    proxy: &str,
    next: Option<&str>,
    size: usize,
) -> (Client<NativeTransport>, Result<TagsPage, RegistryError>) {
    let c = Client::new(NativeTransport::default(), Route::parse(proxy).unwrap());
    let r = Reference::parse(&format!("{}/{REPO}", reg.addr)).unwrap();
    let result = pollster::block_on(c.tags_page(&r, next, size));
    (c, result)
}

fn lie(body: &[u8], status: u16, headers: Vec<(String, String)>) -> HostileProxy {
    HostileProxy::start(vec![Lie::Answer {
        path_suffix: format!("/v2/{REPO}/tags/list"),
        status,
        headers,
        body: body.to_vec(),
    }])
}

#[test]
fn a_registry_lists_its_tags() {
    let reg = registry_with(&["a", "b", "c"]);
    let (_, listed) = page(&reg, "", None, 100);
    let mut listed = listed.unwrap();
    listed.tags.sort();
    assert_eq!(
        listed,
        TagsPage {
            tags: vec!["a".into(), "b".into(), "c".into()],
            next: None
        }
    );
}

#[test]
fn a_link_to_the_next_page_is_followed() {
    let reg = registry_with(&["a"]);
    let link = vec![(
        "Link".into(),
        format!(r#"</v2/{REPO}/tags/list?n=2&last=b>; rel="next""#),
    )];
    let front = lie(br#"{"name":"openpubkey/tags","tags":["a","b"]}"#, 200, link);
    let (_, first) = page(&reg, &front.url, None, 2);
    let first = first.unwrap();
    assert_eq!(first.tags, ["a", "b"]);
    let next = first.next.expect("a next page");
    assert_eq!(
        next,
        format!("http://{}/v2/{REPO}/tags/list?n=2&last=b", reg.addr)
    );
    // The next page itself, from the registry.
    let (_, second) = page(&reg, "", Some(&next), 2);
    assert_eq!(second.unwrap().next, None);
}

#[test]
fn a_registry_that_forbids_listing_says_so() {
    let reg = registry_with(&["a"]);
    let front = lie(br#"{"errors":[{"code":"DENIED"}]}"#, 403, vec![]);
    let (_, result) = page(&reg, &front.url, None, 100);
    assert!(
        matches!(result, Err(RegistryError::Http { status: 403, .. })),
        "{result:?}"
    );
}

#[test]
fn a_next_link_that_leaves_the_tag_list_is_ignored_and_noted() {
    let reg = registry_with(&["a"]);
    let link = vec![(
        "Link".into(),
        r#"<http://127.0.0.1:1/v2/other/tags/list?n=2>; rel="next""#.into(),
    )];
    let front = lie(br#"{"name":"openpubkey/tags","tags":["a"]}"#, 200, link);
    let (c, result) = page(&reg, &front.url, None, 100);
    assert_eq!(
        result.unwrap(),
        TagsPage {
            tags: vec!["a".into()],
            next: None
        }
    );
    let log = c.fetch_log();
    assert_eq!(
        log.last().and_then(|f| f.note.as_deref()),
        Some("ignored: the next page is not this repository's tag list")
    );
}

#[test]
fn an_oversized_page_or_a_body_that_is_no_tag_list_is_refused() {
    let reg = registry_with(&["a"]);
    let many: Vec<String> = (0..=opk_verify::limits::MAX_TAGS_PER_PAGE)
        .map(|i| format!("t{i}"))
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({ "name": REPO, "tags": many })).unwrap();
    let front = lie(&body, 200, vec![]);
    let (_, result) = page(&reg, &front.url, None, 100);
    assert_eq!(
        result.unwrap_err(),
        RegistryError::Verify(VerifyError::LimitExceeded {
            limit: Limit::TagsPerPage
        })
    );
    let front = lie(b"[1,2,3]", 200, vec![]);
    let (_, result) = page(&reg, &front.url, None, 100);
    assert!(
        matches!(result, Err(RegistryError::Protocol { .. })),
        "{result:?}"
    );
}

#[test]
fn progress_counts_requests_sent_and_answered() {
    let reg = registry_with(&["a"]);
    let c = Client::new(NativeTransport::default(), Route::parse("").unwrap());
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    c.on_progress({
        let seen = seen.clone();
        move |done, sent| seen.borrow_mut().push((done, sent))
    });
    let r = Reference::parse(&format!("{}/{REPO}", reg.addr)).unwrap();
    pollster::block_on(c.tags_page(&r, None, 100)).unwrap();
    pollster::block_on(c.tags_page(&r, None, 100)).unwrap();
    assert_eq!(*seen.borrow(), [(0, 1), (1, 1), (1, 2), (2, 2)]);
}

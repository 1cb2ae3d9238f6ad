//! Peak memory for one input of the largest size accepted, measured by counting every heap
//! allocation (a counting global allocator in this test binary): at most 4× the input's limit
//! plus a fixed overhead, for envelopes built to cost the most — a huge unknown member, a
//! million-key predicate, a valid 12 MiB statement verified end to end, 16 MiB of base64.
//! Natively and, compiled to wasm32, in headless Chromium (the page's allocator).
//! `docs/limits.md` states the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "common/costly.rs"]
mod costly;

use costly::*;
use opk_testkit::forge::{envelope, Client, TestOp};
use opk_verify::limits::{self, Limit};
use opk_verify::{verify_envelope, Policy, UnixTime, VerifyError};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static A: Counting = Counting;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Where the figures go: the test's output natively, the browser console in Chromium.
macro_rules! say {
    ($($t:tt)*) => {{
        #[cfg(target_arch = "wasm32")]
        wasm_bindgen_test::console_log!($($t)*);
        #[cfg(not(target_arch = "wasm32"))]
        println!($($t)*);
    }};
}

const MIB: usize = 1024 * 1024;
/// What the process holds besides the input: the trust roots, the policy, the PK tokens' trees
/// (64 KiB inputs each), the report.
const FIXED: usize = 8 * MIB;
const SUBJECT: &str = SUBJECT_HEX;
const NOW: UnixTime = UnixTime(1_698_142_000);

/// The peak of live heap bytes while `f` runs, above what was live before it (the input
/// included, since it is built before).
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst) - before)
}

#[test]
fn peak_memory_stays_within_four_times_the_limit() {
    let op = TestOp::new();
    let client = Client::new();
    let trust = op.trust();
    let policy = Policy::builder()
        .repository_owner_id("145685596")
        .build()
        .unwrap();
    let limit = limits::MAX_ENVELOPE_BYTES;
    let bound = 4 * limit + FIXED;
    let mut report = Vec::new();

    // 1. A 16 MiB envelope whose bulk is an unknown member of a million keys: refused at the key.
    let env = envelope_with_unknown_member(limit);
    assert!(env.len() <= limit);
    let (r, peak) = peak_of(|| verify_envelope(&env, SUBJECT, &trust, &policy, NOW));
    assert!(matches!(
        r.unwrap_err().error,
        VerifyError::UnknownMember { .. }
    ));
    report.push(("unknown member of a million keys", env.len(), peak));
    drop(env);

    // 2. A signed envelope whose statement's predicate is one object of a million keys (the
    //    statement as large as the envelope allows): refused while checking, at the bound.
    let budget = statement_budget();
    let statement = statement_with_predicate(&object_of_keys(budget - 300));
    let env = envelope(&op, &client, statement.as_bytes());
    assert!(env.len() <= limit, "{}", env.len());
    let (r, peak) = peak_of(|| verify_envelope(&env, SUBJECT, &trust, &policy, NOW));
    assert_eq!(
        r.unwrap_err().error,
        VerifyError::LimitExceeded {
            limit: Limit::OpenObjectMembers
        }
    );
    report.push(("predicate of a million keys", env.len(), peak));
    drop(env);

    // 3. A valid, signed envelope with a 12 MiB SBOM-like statement, verified end to end.
    let statement = statement_with_predicate(&packages(budget - 300));
    let env = envelope(&op, &client, statement.as_bytes());
    assert!(env.len() <= limit, "{}", env.len());
    let (r, peak) = peak_of(|| verify_envelope(&env, SUBJECT, &trust, &policy, NOW));
    let v = r.unwrap();
    assert_eq!(v.statement.predicate_type, "https://spdx.dev/Document");
    drop(v);
    report.push(("valid 12 MiB statement, verified", env.len(), peak));
    drop(env);

    // 4. 16 MiB of base64 in the payload that decodes to garbage: refused after one decode.
    let env = envelope_of_garbage(limit);
    let (r, peak) = peak_of(|| verify_envelope(&env, SUBJECT, &trust, &policy, NOW));
    assert!(r.is_err());
    report.push(("16 MiB of base64 payload", env.len(), peak));

    // Indexes (4 MiB): a million-key annotation object on one entry is refused at the bound;
    // a full index of 1000 entries with many annotations each is parsed.
    let mlimit = limits::MAX_MANIFEST_BYTES;
    let entry = |annotations: &str| {
        format!(
            r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{SUBJECT}","size":1,"annotations":{annotations}}}"#
        )
    };
    let index = |entries: &[String]| {
        format!(
            r#"{{"schemaVersion":2,"manifests":[{}]}}"#,
            entries.join(",")
        )
        .into_bytes()
    };
    let one = index(&[entry(&object_of_keys_with(mlimit - 400, "\"\""))]);
    let (r, peak) = peak_of(|| opk_verify::oci::Index::parse(&one));
    assert_eq!(
        r.unwrap_err(),
        VerifyError::LimitExceeded {
            limit: Limit::Annotations
        }
    );
    let mut index_report = vec![("index entry of a million annotations", one.len(), peak)];
    // As many annotations as allowed (4 per entry), their values filling the 4 MiB.
    let value = format!("\"{}\"", "v".repeat(mlimit / 4096 - 60));
    let many = index(&vec![
        entry(&format!(
            r#"{{"a":{value},"b":{value},"c":{value},"d":{value}}}"#
        ));
        1000
    ]);
    assert!(many.len() <= mlimit, "{}", many.len());
    let (r, peak) = peak_of(|| opk_verify::oci::Index::parse(&many));
    assert_eq!(r.unwrap().manifests.len(), 1000);
    index_report.push((
        "index of 1000 entries, 4000 annotations, 4 MiB",
        many.len(),
        peak,
    ));
    // One more annotation than allowed is refused.
    let over = index(&[entry(&object_of_keys_with(80_000, "\"\""))]);
    assert_eq!(
        opk_verify::oci::Index::parse(&over).unwrap_err(),
        VerifyError::LimitExceeded {
            limit: Limit::Annotations
        }
    );
    for (what, len, peak) in &index_report {
        let total = len + peak;
        say!(
            "{what}: input {:.1} MiB, peak while parsing {:.1} MiB, total {:.1} MiB ({:.2}x the 4 MiB limit)",
            *len as f64 / MIB as f64,
            *peak as f64 / MIB as f64,
            total as f64 / MIB as f64,
            total as f64 / mlimit as f64
        );
        assert!(total <= 4 * mlimit + FIXED, "{what}: {total} B");
    }

    for (what, len, peak) in &report {
        let total = len + peak;
        say!(
            "{what}: input {:.1} MiB, peak while verifying {:.1} MiB, total {:.1} MiB ({:.2}x the 16 MiB limit)",
            *len as f64 / MIB as f64,
            *peak as f64 / MIB as f64,
            total as f64 / MIB as f64,
            total as f64 / limit as f64
        );
        assert!(total <= bound, "{what}: {total} B > {bound} B");
    }
}

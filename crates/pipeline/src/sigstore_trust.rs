//! The Sigstore trust of a verification, parsed when a signature first needs it. A caller that
//! has parsed it already (the CLI, the JS package, the tests) passes it parsed. The web page
//! passes the bundled root's name or a fetched root's bytes: the parsing — DER, every log's and
//! authority's key on whichever curve, the bundled root itself — then runs in the module that
//! verifies Sigstore signatures ([`SigstoreVerifier`](crate::sigstore_module::SigstoreVerifier)),
//! so it is not part of the page's first load, and an image with no Sigstore signature never
//! parses a trusted root.
//!
//! A root is parsed once, however many signatures ask at the same time; its failure is kept (the
//! same bytes fail the same way). A verifier module that did not load is not kept: the next
//! signature asks again.

use async_once_cell::OnceCell;
use opk_verify::sigstore::{RootInput, SigstoreTrust};
use opk_verify::VerifyError;

use crate::context::VerifyContext;

/// A trusted root not parsed yet.
#[derive(Debug)]
enum Unparsed {
    /// The bundled public-good root.
    PublicGood,
    /// A document the user supplied, and the file name or URL it came from.
    UserSupplied { bytes: Vec<u8>, label: String },
}

/// The Sigstore trust (trusted root and keys) of a verification: parsed, or parsed on first use.
#[derive(Debug)]
pub struct LazySigstoreTrust {
    /// What to parse while `parsed` is empty (never read for trust given parsed).
    unparsed: Unparsed,
    parsed: OnceCell<Result<SigstoreTrust, VerifyError>>,
}

/// Why the Sigstore trust could not be had.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TrustUnavailable {
    /// The page's verifier module (which parses the root) did not load.
    VerifierNotLoaded,
    /// The trusted root does not parse.
    Invalid(VerifyError),
}

impl LazySigstoreTrust {
    /// Trust parsed by the caller.
    pub fn parsed(trust: SigstoreTrust) -> Self {
        Self {
            unparsed: Unparsed::PublicGood,
            parsed: OnceCell::new_with(Ok(trust)),
        }
    }

    /// The bundled public-good root (no keys), parsed when a signature first needs it.
    pub fn public_good() -> Self {
        Self::unparsed(Unparsed::PublicGood)
    }

    /// A trusted root the user supplied, from `label` (a file name or URL), parsed when a
    /// signature first needs it (no keys).
    pub fn user_supplied(bytes: Vec<u8>, label: String) -> Self {
        Self::unparsed(Unparsed::UserSupplied { bytes, label })
    }

    fn unparsed(unparsed: Unparsed) -> Self {
        Self {
            unparsed,
            parsed: OnceCell::new(),
        }
    }

    /// The trust, if it has been parsed (and parsed without error).
    pub fn get(&self) -> Option<&SigstoreTrust> {
        self.parsed.get().and_then(|p| p.as_ref().ok())
    }

    fn input(&self) -> RootInput<'_> {
        match &self.unparsed {
            Unparsed::PublicGood => RootInput::PublicGood,
            Unparsed::UserSupplied { bytes, label } => RootInput::UserSupplied { bytes, label },
        }
    }

    /// The trust: parsed now if it was not (in the page, by the verifier module, loading it
    /// first if it must).
    pub(crate) async fn load<'a>(
        &'a self,
        cx: &VerifyContext<'_>,
    ) -> Result<&'a SigstoreTrust, TrustUnavailable> {
        #[cfg(target_arch = "wasm32")]
        return self.load_in(cx.sigstore_verifier).await;
        #[cfg(not(target_arch = "wasm32"))]
        {
            let _ = cx;
            let parsed = self.parsed.get_or_init(async {
                opk_verify::sigstore::load_trusted_root(self.input()).map(|root| SigstoreTrust {
                    root,
                    keys: Vec::new(),
                })
            });
            parsed
                .await
                .as_ref()
                .map_err(|e| TrustUnavailable::Invalid(e.clone()))
        }
    }

    /// The trust, parsed by `verifier` now if it was not (loading its module first if it
    /// must): what a signature awaits, and what the page awaits beside a run to learn early
    /// whether a trusted root it was given parses.
    #[cfg(target_arch = "wasm32")]
    pub async fn load_in(
        &self,
        verifier: &dyn crate::sigstore_module::SigstoreVerifier,
    ) -> Result<&SigstoreTrust, TrustUnavailable> {
        if self.parsed.get().is_none() {
            verifier
                .loaded()
                .await
                .map_err(|_| TrustUnavailable::VerifierNotLoaded)?;
        }
        let parsed = self
            .parsed
            .get_or_init(async {
                let root = verifier.load_trusted_root(self.input()).await;
                root.map(|root| SigstoreTrust {
                    root,
                    keys: Vec::new(),
                })
            })
            .await;
        parsed
            .as_ref()
            .map_err(|e| TrustUnavailable::Invalid(e.clone()))
    }
}

// Natively: the browser's verifier module is the pipeline's own Chromium tests' business.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use opk_verify::sigstore::trusted_root::{RootSource, PUBLIC_GOOD_LABEL};
    use opk_verify::{Policy, TrustRoots, UnixTime};

    fn load(lazy: &LazySigstoreTrust) -> Result<&SigstoreTrust, TrustUnavailable> {
        let policy = Policy::builder().repository_owner_id("1").build().unwrap();
        let trust = TrustRoots::default();
        let cx = VerifyContext {
            trust: &trust,
            sigstore: lazy,
            policy: &policy,
            now: UnixTime(0),
        };
        pollster::block_on(lazy.load(&cx))
    }

    #[test]
    fn the_bundled_root_is_parsed_on_first_use_and_kept() {
        let lazy = LazySigstoreTrust::public_good();
        assert!(lazy.get().is_none());
        let trust = load(&lazy).unwrap();
        assert_eq!(
            trust.root.source,
            RootSource::Bundled {
                label: PUBLIC_GOOD_LABEL.into()
            }
        );
        // The second signature gets the same parsed root.
        assert!(std::ptr::eq(load(&lazy).unwrap(), lazy.get().unwrap()));
    }

    #[test]
    fn a_root_that_does_not_parse_fails_each_signature_the_same_way() {
        let lazy = LazySigstoreTrust::user_supplied(b"{}".to_vec(), "root.json".into());
        let invalid = TrustUnavailable::Invalid(VerifyError::MissingField {
            what: "trusted root",
            field: "mediaType",
        });
        assert_eq!(load(&lazy).unwrap_err(), invalid);
        assert_eq!(load(&lazy).unwrap_err(), invalid);
        assert!(lazy.get().is_none());
    }

    #[test]
    fn a_root_parsed_by_the_caller_is_used_as_given() {
        let root = opk_verify::sigstore::load_trusted_root(RootInput::PublicGood).unwrap();
        let lazy = LazySigstoreTrust::parsed(SigstoreTrust {
            root,
            keys: Vec::new(),
        });
        assert!(lazy.get().is_some());
        assert!(std::ptr::eq(load(&lazy).unwrap(), lazy.get().unwrap()));
    }
}

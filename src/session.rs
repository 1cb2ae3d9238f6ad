//! One run of the page: load the trust the user asked for, fetch the image through
//! `opk-registry` (directly, or through the configured proxy), verify every platform with
//! `opk-verify`, and gather what the explorer shows. Every object comes from the client's
//! digest-checked fetches; one client per run, so every view sees the same index.

use std::sync::Arc;

use futures_util::future::{join, join_all};
use opk_pipeline::explain::{explain, explain_setup, Explanation};
use opk_pipeline::sigstore_module::SigstoreVerifier;
use opk_pipeline::{ImageVerdict, LazySigstoreTrust, State, TrustUnavailable, VerifyContext};
use opk_registry::{
    attestations, BrowserTransport, Client, FetchRecord, Found, Image, Method, Reference,
    RegistryError, Request, Route, Scheme, Transport as _,
};
use opk_verify::claimed::{claimed_signer_unverified, ClaimedSigner};
use opk_verify::intoto::SLSA_PROVENANCE_V02;
use opk_verify::limits::{self, Limit};
use opk_verify::oci::{Descriptor, Digest};
use opk_verify::policy::PolicyError;
use opk_verify::policy::SanRule;
use opk_verify::setup::{self, SetupError};
use opk_verify::sigstore::trusted_root::RootSource;
use opk_verify::{JwksFile, Policy, TrustRoots, UnixTime};

use crate::params::Params;
use crate::sigstore_module::SigstoreModule;

/// A failure with its stable code, the engine's message, and what it means to the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The stable error code.
    pub code: String,
    /// The engine's message (shown small, for reports).
    pub message: String,
    /// The state it puts a verification in (from the pipeline, never from the code).
    pub state: State,
    /// What it means and what to do (from the typed error).
    pub explanation: Explanation,
}

impl Failure {
    /// Whether the registry could not be reached at all.
    pub fn unreachable(&self) -> bool {
        self.state == State::Unreachable
    }

    /// A verification that did not run because of the configuration (a key set or trusted
    /// root that could not be loaded, a policy that is not complete).
    pub fn not_verified(code: &str, message: String, meaning: String, action: &str) -> Self {
        Self {
            code: code.to_owned(),
            message,
            state: State::NotVerified,
            explanation: Explanation {
                meaning,
                action: action.to_owned(),
            },
        }
    }
}

impl From<&RegistryError> for Failure {
    fn from(e: &RegistryError) -> Self {
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
            state: State::of_error(e),
            explanation: explain(e),
        }
    }
}

impl From<SetupError> for Failure {
    fn from(e: SetupError) -> Self {
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
            state: State::NotVerified,
            explanation: explain_setup(&e),
        }
    }
}

/// One attestation layer as fetched.
#[derive(Debug, Clone)]
pub struct LayerView {
    /// Its descriptor.
    pub descriptor: Descriptor,
    /// DSSE-signed (`+dsse`) or a plain statement.
    pub signed: bool,
    /// The exact bytes, or why they could not be had.
    pub bytes: Result<Vec<u8>, Failure>,
}

/// One attestation manifest of a platform.
#[derive(Debug, Clone)]
pub struct AttestationView {
    /// Its descriptor.
    pub descriptor: Descriptor,
    /// Where it was listed.
    pub found: Found,
    /// Its exact bytes.
    pub manifest: Vec<u8>,
    /// Its attestation layers.
    pub layers: Vec<LayerView>,
}

/// One platform image.
#[derive(Debug, Clone)]
pub struct PlatformView {
    /// `os/arch[/variant]`.
    pub platform: String,
    /// Its index entry.
    pub descriptor: Descriptor,
    /// The image manifest's exact bytes.
    pub manifest: Result<Vec<u8>, Failure>,
    /// The image config's exact bytes.
    pub config: Option<Result<Vec<u8>, Failure>>,
    /// Its attestation manifests (or why none could be had).
    pub attestations: Result<Vec<AttestationView>, Failure>,
    /// The verification verdict, shared: it holds every verified statement (an SBOM's can
    /// list 10,000 packages), and views clone the platform on every render.
    pub verdict: Arc<Result<ImageVerdict, Failure>>,
    /// When the verification did not run for want of an identity rule: who the signature
    /// claims to be from (unverified), offered as the rule.
    pub claimed: Option<ClaimedSigner>,
}

/// Everything one run found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The parsed reference.
    pub reference: Reference,
    /// The top-level object.
    pub image: Image,
    /// The platforms.
    pub platforms: Vec<PlatformView>,
    /// Every request made.
    pub fetches: Vec<FetchRecord>,
    /// Whether requests went through a proxy.
    pub proxied: bool,
    /// The user-supplied trust in effect.
    pub trust: TrustLabels,
    /// The headline's word for the Sigstore trusted root, when not the bundled one (from its
    /// typed source).
    pub sigstore_root: Option<&'static str>,
    /// The request this outcome answers (its policy is what the verdicts were checked against).
    pub ran: Params,
}

/// What the page shows while and after running.
#[derive(Debug, Clone, Default)]
pub enum Phase {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// Working (what is happening now is the page's progress line, a signal of its own, so
    /// each request's update changes one text node, not the phase).
    Running,
    /// Could not even start or fetch the image.
    Failed(Failure),
    /// Done.
    Done(Arc<Outcome>),
}

/// The current time for verification (the page's clock, passed to the pure core).
pub fn now() -> UnixTime {
    UnixTime((js_sys::Date::now() / 1000.0) as i64)
}

/// A trust document (a key set, a trusted root) from `url`, at most `max_body` bytes.
async fn get_json(
    url: &str,
    max_body: usize,
) -> Result<opk_registry::Response, opk_registry::TransportError> {
    let req = Request {
        method: Method::Get,
        url: url.to_owned(),
        headers: vec![("accept".into(), "application/json".into())],
        body: Vec::new(),
        max_body,
    };
    BrowserTransport.send(&req).await
}

/// Loads each JWKS URL (bounded), labelled as user-supplied (or dev issuer) trust.
pub async fn load_jwks(urls: &[String]) -> Result<Vec<(String, JwksFile)>, Failure> {
    let mut out = Vec::new();
    for url in urls {
        let fail = |code: &str, message: String| {
            Failure::not_verified(
                code,
                format!("JWKS {url}: {message}"),
                format!("Not verified: the issuer key set at {url} could not be loaded ({message})."),
                "Check the URL; the server must answer with a JWKS and send CORS headers for this page to read it.",
            )
        };
        let resp = get_json(url, limits::MAX_JWKS_BYTES)
            .await
            .map_err(|e| fail("network_error", transport_text(&e)))?;
        if resp.status != 200 {
            return Err(fail("http_error", format!("HTTP {}", resp.status)));
        }
        let file = JwksFile::parse(&resp.body).map_err(|e| fail(e.code(), e.to_string()))?;
        out.push((url.clone(), file));
    }
    Ok(out)
}

/// A Sigstore trusted root that could not be used: the run's verdict, for every platform.
fn root_failure(code: &str, message: String) -> Failure {
    Failure::not_verified(
        code,
        message.clone(),
        format!("Not verified: the Sigstore trusted root could not be used ({message})."),
        "Check the trusted root URL, or leave it empty for the bundled public-good root.",
    )
}

/// The Sigstore trust for image verification: the trusted root the link names (loaded,
/// bounded, labelled user-supplied or dev), else the bundled public-good root. Either is
/// parsed by the Sigstore verifier module, which holds the parsing, when a signature first
/// needs it — and the link's beside the verification too ([`run`]), so a document that is not
/// a trusted root still decides the run's verdict.
async fn sigstore_trust(url: &str) -> Result<LazySigstoreTrust, Failure> {
    if url.trim().is_empty() {
        return Ok(LazySigstoreTrust::public_good());
    }
    let resp = get_json(url, limits::MAX_TRUSTED_ROOT_BYTES)
        .await
        .map_err(|e| {
            root_failure(
                "network_error",
                format!("trusted root {url}: {}", transport_text(&e)),
            )
        })?;
    if resp.status != 200 {
        return Err(root_failure(
            "http_error",
            format!("trusted root {url}: HTTP {}", resp.status),
        ));
    }
    Ok(LazySigstoreTrust::user_supplied(resp.body, url.to_owned()))
}

/// Whether the trusted root the link names parses (in the Sigstore module, loaded for it):
/// the failure that is then every platform's verdict. A module that does not load decides
/// nothing here (the signatures that need it say so).
async fn named_root_failure(url: &str, trust: &LazySigstoreTrust) -> Option<Failure> {
    match trust.load_in(&SigstoreModule).await {
        Err(TrustUnavailable::Invalid(e)) => {
            Some(root_failure(e.code(), format!("trusted root {url}: {e}")))
        }
        _ => None,
    }
}

/// User-supplied trust in effect: (label, whether it is a dev issuer's).
pub type TrustLabels = Vec<(String, bool)>;

/// Trust roots and policy for `params` plus any pasted JWKS.
pub fn trust_and_policy(
    params: &Params,
    jwks: Vec<(String, JwksFile)>,
) -> Result<(TrustRoots, Policy, TrustLabels), Failure> {
    let labels = jwks
        .iter()
        .map(|(l, f)| (l.clone(), f.dev_issuer.is_some()))
        .collect();
    if let Some(what) = params.empty_rules.first() {
        return Err(SetupError::Policy(PolicyError::EmptyValue { what }).into());
    }
    let predicates = if params.predicates.is_empty() {
        vec![SLSA_PROVENANCE_V02.to_owned()]
    } else {
        params.predicates.clone()
    };
    let certificate_identity =
        match (
            params.cert_identity.trim(),
            params.cert_identity_prefix.trim(),
        ) {
            ("", "") => None,
            (san, "") => Some(SanRule::Exact(san.to_owned())),
            ("", prefix) => Some(SanRule::Prefix(prefix.to_owned())),
            _ => return Err(Failure::not_verified(
                "invalid_policy",
                "cert_identity and cert_identity_prefix are exclusive".into(),
                "Not verified: the policy gives both an exact certificate identity and a prefix."
                    .into(),
                "Keep one of the two.",
            )),
        };
    let req = setup::Request {
        issuers: Vec::new(),
        jwks,
        rules: params.rules(),
        predicates,
        certificate_identity,
        certificate_issuers: params.cert_oidc_issuers.clone(),
        ..Default::default()
    };
    let (trust, policy, _) = setup::trust_and_policy(&req)?;
    Ok((trust, policy, labels))
}

/// A client for `reference`'s registry: through the link's proxy, else directly for a plain
/// HTTP (local) registry, else through the saved proxy; and whether it is proxied.
pub fn client_for(
    reference: &Reference,
    link_proxy: &str,
    saved_proxy: String,
) -> Result<(Client<BrowserTransport>, bool), Failure> {
    let proxy = if !link_proxy.is_empty() {
        link_proxy.to_owned()
    } else if reference.scheme() == Scheme::Http {
        String::new()
    } else {
        saved_proxy
    };
    let route = Route::parse(&proxy).map_err(|e| Failure::from(&e))?;
    let proxied = route.is_proxied();
    Ok((Client::new(BrowserTransport, route), proxied))
}

/// Runs the whole request, reporting progress through `progress`: the key sets and the image
/// side by side, then every platform side by side (its manifest, and its attestations fetched
/// and verified). Image configs are not needed for a verdict unless the image is a single
/// manifest (its config names the platform); the others come after, from [`load_configs`]
/// with the returned client.
pub async fn run(
    params: Params,
    saved_proxy: String,
    progress: impl Fn(String) + Clone + 'static,
) -> Result<(Outcome, Client<BrowserTransport>), Failure> {
    let reference = Reference::parse(params.image.trim())
        .map_err(|e| Failure::from(&RegistryError::Reference(e)))?;
    let (client, proxied) = client_for(&reference, &params.proxy, saved_proxy)?;
    // The stage, and under it every request answered of those sent ("12 of 18 requests").
    let stage = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let say = {
        let (stage, progress) = (stage.clone(), progress.clone());
        move |m: String| {
            *stage.borrow_mut() = m.clone();
            progress(m);
        }
    };
    client.on_progress({
        let (stage, progress) = (stage.clone(), progress.clone());
        move |done, sent| progress(format!("{} {done} of {sent} requests", stage.borrow()))
    });
    say(format!("Fetching {reference} and the trust roots…"));
    // A link naming Sigstore trust asks for Sigstore signatures: their verifier (the page's
    // second module) has been loading since the page opened (app.rs), and this asks for it
    // again (the same load, or a retry of a failed one), so it is there when a bundle is.
    // Otherwise it is fetched only if discovery finds one. A failure here is not kept: the
    // verification asks again, and reports it if it still does not load.
    if params.names_sigstore() {
        wasm_bindgen_futures::spawn_local(async {
            let _ = SigstoreModule.loaded().await;
        });
    }
    // The image's first request goes out first; the trust is set up (parsing the bundled key
    // history takes milliseconds; a linked trusted root is fetched and parsed) while it is on
    // the wire, not after.
    let (image, (setup, sigstore)) = join(
        Image::fetch(&client, &reference),
        join(
            async {
                let jwks = load_jwks(&params.jwks).await?;
                trust_and_policy(&params, jwks)
            },
            sigstore_trust(&params.trusted_root),
        ),
    )
    .await;
    // What the registry says comes first: an unreachable registry or a missing tag is the real
    // fault even when the policy is incomplete too.
    let image = image.map_err(|e| with_proxy_hint(&e, &reference, proxied))?;
    // A policy or trust that cannot be set up stops the verification, not the exploring: every
    // platform is still fetched and shown, with the verdict "not verified" and why.
    let (setup, trust_labels) = match setup.and_then(|t| Ok((t, sigstore?))) {
        Ok(((trust, policy, labels), sigstore)) => (Ok((trust, policy, sigstore)), labels),
        Err(f) => (Err(f), Vec::new()),
    };
    let images = image.images();
    say(format!("Verifying {} platform image(s)…", images.len()));
    let platforms = join_all(images.into_iter().map(|(platform, descriptor)| {
        let cx = match &setup {
            Ok((trust, policy, sigstore)) => Ok(VerifyContext {
                trust,
                sigstore,
                policy,
                now: now(),
                sigstore_verifier: &SigstoreModule,
            }),
            Err(f) => Err(f.clone()),
        };
        platform_view(&client, &image, platform, descriptor, cx)
    }));
    // A trusted root the link names is parsed beside the verification, not before it (the
    // module that parses it is loading meanwhile): one that does not parse is every platform's
    // verdict, as a policy that cannot be set up is.
    let named_root = async {
        match &setup {
            Ok((_, _, sigstore)) if !params.trusted_root.trim().is_empty() => {
                named_root_failure(&params.trusted_root, sigstore).await
            }
            _ => None,
        }
    };
    let (mut platforms, root_failed) = join(platforms, named_root).await;
    if let Some(f) = root_failed {
        for p in &mut platforms {
            p.claimed = match &p.attestations {
                Ok(sets) => claimed_signer(sets),
                Err(_) => None,
            };
            p.verdict = Arc::new(Err(f.clone()));
        }
    }
    // What follows (the configs, the explorer's layers) is not this run's progress.
    client.on_progress(|_, _| {});
    // The root's word for the headline, once a signature had it parsed.
    let sigstore_root = match &setup {
        Ok((_, _, s)) => s.get().and_then(|s| match s.root.source {
            RootSource::Bundled { .. } => None,
            RootSource::UserSupplied { .. } => Some(" — under a user-supplied Sigstore root"),
            RootSource::Dev { .. } => Some(" — dev Sigstore"),
        }),
        Err(_) => None,
    };
    Ok((
        Outcome {
            reference,
            image,
            platforms,
            fetches: client.fetch_log(),
            proxied,
            trust: trust_labels,
            sigstore_root,
            ran: params,
        },
        client,
    ))
}

/// One platform: its manifest beside its verification; then its attestations for the explorer
/// (already fetched and checked by the verification, so no further requests).
async fn platform_view(
    client: &Client<BrowserTransport>,
    image: &Image,
    platform: Option<opk_verify::oci::Platform>,
    descriptor: Descriptor,
    cx: Result<VerifyContext<'_>, Failure>,
) -> PlatformView {
    let reference = &image.reference;
    let fetch_manifest = || async {
        client
            .manifest(reference, &descriptor.digest, Some(&descriptor))
            .await
            .map_err(|e| Failure::from(&e))
    };
    let cx = &cx;
    let verify = |name: String| async move {
        match cx {
            Ok(cx) => opk_pipeline::verify_image(client, reference, &name, cx)
                .await
                .map_err(|e| Failure::from(&e)),
            Err(not_run) => Err(not_run.clone()),
        }
    };
    let (name, manifest, config, verdict) = match platform {
        Some(p) => {
            let name = p.to_string();
            let (manifest, verdict) = join(fetch_manifest(), verify(name.clone())).await;
            (name, manifest, None, verdict)
        }
        None => {
            // A single-manifest image names its platform in its config.
            let manifest = fetch_manifest().await;
            let config = match &manifest {
                Ok(bytes) => fetch_config(client, reference, bytes).await,
                Err(_) => None,
            };
            let name = match &config {
                Some(Ok(c)) => platform_of_config(c),
                _ => "unknown".to_owned(),
            };
            let verdict = verify(name.clone()).await;
            (name, manifest, config, verdict)
        }
    };
    let attestations = explore_attestations(client, image, &descriptor.digest).await;
    let claimed = match (&verdict, &attestations) {
        (Err(f), Ok(sets)) if f.state == State::NotVerified => claimed_signer(sets),
        _ => None,
    };
    PlatformView {
        platform: name,
        descriptor,
        manifest,
        config,
        attestations,
        verdict: Arc::new(verdict),
        claimed,
    }
}

/// The signer the first OpenPubkey-signed attestation claims, unverified: offered as a rule
/// when there is none.
fn claimed_signer(sets: &[AttestationView]) -> Option<ClaimedSigner> {
    sets.iter()
        .flat_map(|s| &s.layers)
        .filter(|l| l.signed)
        .find_map(|l| l.bytes.as_deref().ok().and_then(claimed_signer_unverified))
}

/// The config of an image manifest, checked against its descriptor; `None` if the manifest
/// does not parse.
async fn fetch_config(
    client: &Client<BrowserTransport>,
    reference: &Reference,
    manifest: &[u8],
) -> Option<Result<Vec<u8>, Failure>> {
    let m = opk_verify::oci::Manifest::parse(manifest).ok()?;
    Some(
        client
            .blob(
                reference,
                &m.config,
                limits::MAX_MANIFEST_BYTES,
                Limit::ManifestBytes,
            )
            .await
            .map_err(|e| Failure::from(&e)),
    )
}

/// Fetches the configs [`run`] left for later (side by side), and refreshes the fetch log.
pub async fn load_configs(client: &Client<BrowserTransport>, outcome: &mut Outcome) {
    let reference = &outcome.reference;
    let configs = join_all(outcome.platforms.iter().map(|p| async {
        match (&p.config, &p.manifest) {
            (None, Ok(bytes)) => fetch_config(client, reference, bytes).await,
            (config, _) => config.clone(),
        }
    }))
    .await;
    for (p, config) in outcome.platforms.iter_mut().zip(configs) {
        p.config = config;
    }
    outcome.fetches = client.fetch_log();
}

/// `os/architecture[/variant]` of an image config, read field by field (a config can be
/// megabytes of history: never a tree of it); `unknown` where it does not say.
fn platform_of_config(config: &[u8]) -> String {
    #[derive(serde::Deserialize, Default)]
    struct Platform {
        os: Option<String>,
        architecture: Option<String>,
        variant: Option<String>,
    }
    let p: Platform = serde_json::from_slice(config).unwrap_or_default();
    let field = |v: Option<String>| v.unwrap_or_else(|| "unknown".to_owned());
    let mut out = format!("{}/{}", field(p.os), field(p.architecture));
    if let Some(variant) = p.variant {
        out = format!("{out}/{variant}");
    }
    out
}

/// What a browser reports for a request that got no response, in words (a browser's CORS
/// refusal and a closed port both read "Failed to fetch").
fn transport_text(e: &opk_registry::TransportError) -> String {
    match e {
        opk_registry::TransportError::Network(m) => {
            format!("no answer, or one without CORS headers: {m}")
        }
        opk_registry::TransportError::BodyTooLarge => "the answer is over its size limit".into(),
        opk_registry::TransportError::TooManyRedirects => "too many redirects".into(),
        opk_registry::TransportError::Cancelled => "cancelled".into(),
    }
}

/// The failure of fetching the image, with the advice that fits where it failed: a local
/// registry that is not running, a remote one without CORS headers (a proxy helps), or a proxy
/// that does not answer.
fn with_proxy_hint(e: &RegistryError, reference: &Reference, proxied: bool) -> Failure {
    let mut f = Failure::from(e);
    if f.unreachable() {
        let host = reference.registry();
        f.explanation.action = if opk_registry::is_loopback_host(host) {
            format!("Nothing answered at {host}: check that the registry runs there (browsers also refuse some ports, such as 1). Local registries are reached directly, never through the proxy.")
        } else if proxied {
            "Check that the proxy runs and can reach the registry.".to_owned()
        } else {
            "A browser can only read registries that send CORS headers: set a CORS proxy (opk proxy) under Proxy, or check the registry's name.".to_owned()
        };
    }
    f
}

async fn explore_attestations(
    client: &Client<BrowserTransport>,
    image: &Image,
    digest: &Digest,
) -> Result<Vec<AttestationView>, Failure> {
    let sets = attestations(client, image, digest)
        .await
        .map_err(|e| Failure::from(&e))?;
    let r = &image.reference;
    let mut out = Vec::new();
    for set in sets {
        let manifest = client
            .manifest(r, &set.descriptor.digest, Some(&set.descriptor))
            .await
            .map_err(|e| Failure::from(&e))?;
        let mut layers = Vec::new();
        for (d, signed) in set.layers {
            let bytes = client
                .blob(r, &d, limits::MAX_ENVELOPE_BYTES, Limit::EnvelopeBytes)
                .await
                .map_err(|e| Failure::from(&e));
            layers.push(LayerView {
                descriptor: d,
                signed,
                bytes,
            });
        }
        out.push(AttestationView {
            descriptor: set.descriptor,
            found: set.found,
            manifest,
            layers,
        });
    }
    Ok(out)
}

// Types of the OPK Explorer JS API (opk_js.js) and the <opk-verify> element (opk-verify.js).
// The report objects are the CLI's --json objects (`opk verify --json`, `opk inspect --json`,
// `opk verify-envelope --json`, `opk verify-token --json`).

/** Who must have signed, and which keys are trusted besides the bundled GitHub Actions history. */
export interface Policy {
  ownerId?: string;
  repository?: string;
  workflowRef?: string;
  ref?: string;
  /** Required predicate types (verifyImage defaults to SLSA provenance v0.2). */
  predicates?: string[];
  /** Allowed issuers (default GitHub Actions; a dev issuer JWKS allows its own issuer). */
  issuers?: string[];
  /** Extra issuer key sets, labelled as user-supplied trust (or dev issuer). */
  jwks?: { label?: string; json: string | object }[];
  /** Accept any signer of an allowed issuer (inspection only). */
  anyIdentityUnsafe?: boolean;
  /** verifyEnvelope: the platform image manifest digest the statement must name. */
  subjectDigest?: string;
  /** verifyEnvelope: the subject name (purl) that must carry the digest. */
  subjectName?: string;
  /** Verify at this Unix time instead of the page's clock. */
  now?: number;
}

export interface FetchOptions {
  /** Default linux/amd64. */
  platform?: string;
  /** A CORS proxy: URL prefix (opk proxy) or a template with {url}, or {host} and {path}. */
  proxy?: string;
}

export interface ApiError { code: string; message: string; }

export interface Check { id: string; ok: boolean; message: string; }

export interface Key { kid: string; issuer: string; source: string; window: { not_before: number; not_after: number } | null; }

export interface EnvelopeReport {
  verified: boolean;
  format?: string;
  checks: Check[];
  claims?: Record<string, unknown>;
  key?: Key;
  predicateType?: string;
  subject?: { name: string; sha256: string | null }[];
  error?: ApiError;
}

export interface Fetch { method: string; url: string; via_proxy: boolean; status: number | null; bytes: number; digest_check: 'verified' | 'failed' | 'unverified' | 'not_applicable'; }

export interface AttestationReport extends Partial<EnvelopeReport> {
  /** The scheme that signed it; null for an unsigned in-toto statement. */
  scheme: 'open_pubkey' | 'sigstore' | 'cosign' | 'notation' | null;
  manifest: string;
  /** Where its manifest was listed: BuildKit's attestation manifest in the image index, the OCI
   * 1.1 referrers API, the `sha256-<hex>` referrers tag, or a cosign v2 `.sig`/`.att` tag. */
  found: 'index' | 'referrers_api' | 'referrers_tag' | 'cosign_tag';
  layer: { mediaType: string; digest: string; size: number };
  predicateTypeHint: string | null;
  /** Present (true) when the signature is the image index's, verified against the index digest
   * (which lists this platform image): `cosign sign image@<index digest>`. */
  onIndex?: true;
  /** not_verified: recognised and listed, not verified here (a Notation signature, a message
   * signature over another payload, a verifier that did not load); `reason` says which. */
  status: 'verified' | 'rejected' | 'unsigned' | 'not_verified';
  reason?: string;
}

export interface ImageReport {
  verified: boolean;
  image: string;
  platform: string;
  resolved?: { digest: string; fromTag: string | null; unverifiedStep: boolean };
  imageDigest?: string;
  purl?: string | null;
  attestations: AttestationReport[];
  error: ApiError | null;
  /** docker verify's lines, as the CLI prints them. */
  lines?: string[];
  fetches: Fetch[];
}

export default function init(options?: { module_or_path?: string | URL | Response | BufferSource }): Promise<unknown>;
/** Verifies everything in wasm, synchronously. */
export function verifyEnvelope(bytes: Uint8Array, policy: Policy): EnvelopeReport;
/** The same report as verifyEnvelope; ES256 and RS256 signatures WebCrypto accepts are not checked again in wasm. */
export function verifyEnvelopeAsync(bytes: Uint8Array, policy: Policy): Promise<EnvelopeReport>;
/** Verifies everything in wasm, synchronously. */
export function verifyToken(text: string, policy?: Policy): EnvelopeReport;
/** The same report as verifyToken; ES256 and RS256 signatures WebCrypto accepts are not checked again in wasm. */
export function verifyTokenAsync(text: string, policy?: Policy): Promise<EnvelopeReport>;
export function verifyImage(image: string, policy: Policy, options?: FetchOptions): Promise<ImageReport>;
export function inspectImage(image: string, options?: FetchOptions): Promise<Record<string, unknown>>;

/** <opk-verify>: fires `opk-verdict` (detail: the report) when done; `.report` holds it. */
export class OpkVerifyElement extends HTMLElement {
  report?: ImageReport | EnvelopeReport;
}

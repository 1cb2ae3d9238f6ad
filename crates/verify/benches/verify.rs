//! Criterion benchmarks of the hot paths: GQ verify (2048-bit), RS256, ES256,
//! and a whole F0 envelope verification (Go-reference vector). Run: `cargo bench -p opk-verify`.

// Native only: criterion is not built for wasm32 (the bench page times the wasm).
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::verify);
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{criterion_group, Criterion};
    use opk_verify::jose::{es256, rs256, EcKey, Jwks, PublicKey};
    use opk_verify::{gq, KeySource, Policy, TrustRoots, UnixTime, GITHUB_ACTIONS_ISSUER};
    use std::hint::black_box;

    const GQ_JWT: &str =
        include_str!("../tests/vectors/gq_dfa5678_over_real_github_idtoken_2022-08.jwt");
    const RS_JWT: &str = include_str!("../tests/vectors/github_idtoken_2022-08_stepsecurity.jwt");
    const JWKS_2022: &[u8] =
        include_bytes!("../tests/vectors/github_jwks_2022-08_stepsecurity.json");
    const ENVELOPE: &[u8] = include_bytes!("../tests/vectors/dsse_provenance.json");
    const SYNTHETIC_JWKS: &[u8] = include_bytes!("../tests/vectors/synthetic_op_jwks.json");
    const SUBJECT: &str = "sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

    fn benches(c: &mut Criterion) {
        let jwks = Jwks::from_json(JWKS_2022).unwrap();
        let PublicKey::Rsa(rsa) = &jwks
            .find("78167F727DEC5D801DD1C8784C704A1C880EC0E1")
            .unwrap()
            .key
        else {
            panic!("not RSA")
        };
        let (gq_input, gq_sig) = GQ_JWT.trim().rsplit_once('.').unwrap();
        let gq_proof = opk_verify::b64::decode_url(gq_sig, "b").unwrap();
        assert!(gq::verify(
            rsa,
            gq_input.as_bytes(),
            gq_input.as_bytes(),
            &gq_proof
        ));
        c.bench_function("gq256_verify_2048", |b| {
            b.iter(|| {
                gq::verify(
                    rsa,
                    black_box(gq_input.as_bytes()),
                    gq_input.as_bytes(),
                    black_box(&gq_proof),
                )
            })
        });

        let (rs_input, rs_sig) = RS_JWT.trim().rsplit_once('.').unwrap();
        let rs_sig = opk_verify::b64::decode_url(rs_sig, "b").unwrap();
        assert!(rs256::verify(rsa, rs_input.as_bytes(), &rs_sig));
        c.bench_function("rs256_verify_2048", |b| {
            b.iter(|| rs256::verify(rsa, black_box(rs_input.as_bytes()), black_box(&rs_sig)))
        });

        // ES256: the CIC signature of the Go-reference PK token.
        let env = opk_verify::dsse::Envelope::parse(ENVELOPE).unwrap();
        let pkt = opk_verify::pktoken::PkToken::parse(&env.signatures[0].sig).unwrap();
        let cic = opk_verify::pktoken::Cic::from_header(&pkt.cic.header).unwrap();
        let es_input = format!("{}.{}", pkt.cic.protected_b64, pkt.payload_b64);
        let es_sig = opk_verify::b64::decode_url(&pkt.cic.signature_b64, "b").unwrap();
        let upk: &EcKey = cic.upk();
        assert!(es256::verify(upk, es_input.as_bytes(), &es_sig));
        c.bench_function("es256_verify", |b| {
            b.iter(|| es256::verify(upk, black_box(es_input.as_bytes()), black_box(&es_sig)))
        });

        let mut trust = TrustRoots::bundled().unwrap();
        let synthetic = Jwks::from_json(SYNTHETIC_JWKS).unwrap();
        trust
            .add_jwks(
                GITHUB_ACTIONS_ISSUER,
                &synthetic,
                &KeySource::UserSupplied {
                    label: "bench".into(),
                },
            )
            .unwrap();
        let policy = Policy::builder()
            .repository_owner_id("145685596")
            .build()
            .unwrap();
        let now = UnixTime(1_795_000_000);
        assert!(opk_verify::verify_envelope(ENVELOPE, SUBJECT, &trust, &policy, now).is_ok());
        c.bench_function("f0_envelope_verify", |b| {
            b.iter(|| {
                opk_verify::verify_envelope(black_box(ENVELOPE), SUBJECT, &trust, &policy, now)
                    .is_ok()
            })
        });
    }

    criterion_group!(verify, benches);
}

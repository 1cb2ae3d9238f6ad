//! `opk ls IMAGE [LAYER-DIGEST]`: the layers of one platform image (media type, size, digest),
//! or the files of one of them — the layer streamed and listed as it arrives (`opk-layer`),
//! never held, and its digest checked at the end (exit 1 when it does not match, after the
//! listing so far: what was printed is then unverified, and says so).

use std::process::ExitCode;

use opk_layer::LayerLister;
use opk_registry::{Image, Reference, RegistryError};
use opk_verify::oci::{Digest, Manifest};

use crate::args::Ls;
use crate::{input_error, remote};

fn failed(e: &RegistryError) -> ExitCode {
    eprintln!("error: {}: {e}", e.code());
    ExitCode::from(if e.is_unreachable() { 2 } else { 1 })
}

/// Runs the command.
pub fn run(l: &Ls) -> ExitCode {
    let reference = match Reference::parse(&l.image) {
        Ok(r) => r,
        Err(e) => return input_error(&format!("{}: {e}", e.code())),
    };
    let wanted = match l.layer.as_deref().map(Digest::parse).transpose() {
        Ok(d) => d,
        Err(e) => return input_error(&format!("{}: the layer digest: {e}", e.code())),
    };
    let client = match remote::client(&l.registry) {
        Ok(c) => c,
        Err(e) => return input_error(&e),
    };
    let manifest = pollster::block_on(async {
        let image = Image::fetch(&client, &reference).await?;
        let target = match &l.platform {
            Some(p) => image.image_for(p)?,
            None => match image.image_for("linux/amd64") {
                Ok(d) => d,
                Err(_) => image.images().into_iter().next().map(|(_, d)| d).ok_or(
                    RegistryError::PlatformNotFound {
                        platform: "any".into(),
                        available: "none".into(),
                    },
                )?,
            },
        };
        let bytes = client
            .manifest(&reference, &target.digest, Some(&target))
            .await?;
        Ok::<_, RegistryError>(Manifest::parse(&bytes)?)
    });
    let manifest = match manifest {
        Ok(m) => m,
        Err(e) => return failed(&e),
    };
    let Some(wanted) = wanted else {
        for layer in &manifest.layers {
            outln!("{}  {:>12}  {}", layer.digest, layer.size, layer.media_type);
        }
        return ExitCode::SUCCESS;
    };
    let Some(layer) = manifest.layers.iter().find(|d| d.digest == wanted) else {
        return input_error(&format!(
            "not_found: {wanted} is not a layer of this platform image"
        ));
    };
    let mut lister = match LayerLister::new(&layer.media_type, None) {
        Ok(l) => l,
        Err(e) => return input_error(&format!("{}: {e}", e.code())),
    };
    let mut printed = 0;
    let mut error = None;
    // A layer that stops parsing is still read to its end: its digest decides whether the
    // registry (or a proxy) changed it, which is the fault to report before a malformed tar.
    let streamed = pollster::block_on(client.blob_stream(&reference, layer, &mut |chunk| {
        if error.is_some() {
            return true;
        }
        if let Err(e) = lister.push(chunk) {
            error = Some(e);
            return true;
        }
        for e in &lister.entries()[printed..] {
            let link = e
                .link
                .as_deref()
                .map(|t| format!(" -> {t}"))
                .unwrap_or_default();
            let wh = if e.whiteout { "  (whiteout)" } else { "" };
            outln!("{}  {:>12}  {}{link}{wh}", e.mode_text(), e.size, e.path);
        }
        printed = lister.entries().len();
        true
    }));
    if let Err(e) = streamed {
        eprintln!("(the entries above are unverified: the layer did not check)");
        return failed(&e);
    }
    if let Some(e) = error {
        eprintln!(
            "error: {}: {e} (the layer's digest {} verified: the layer itself is malformed)",
            e.code(),
            layer.digest
        );
        return ExitCode::from(1);
    }
    match lister.finish() {
        Ok(listing) => {
            eprintln!(
                "{} entries; layer digest {} verified",
                listing.entries.len(),
                layer.digest
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", e.code());
            ExitCode::from(1)
        }
    }
}

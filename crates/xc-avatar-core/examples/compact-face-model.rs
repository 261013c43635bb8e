//! Writes the face model xc-avatar embeds (`src/avatar/faces/seeta_fd_frontal_v1.0.f16.bin`)
//! from the one the `rustface` crate ships, with every number as a half float, and shows that
//! both find the same faces in the pictures given.
//!
//! ```sh
//! cargo run -p xc-avatar-core --example compact-face-model -- \
//!     ~/.cargo/registry/src/*/rustface-0.1.7/model/seeta_fd_frontal_v1.0.bin \
//!     crates/xc-avatar-core/src/avatar/faces/seeta_fd_frontal_v1.0.f16.bin [PICTURE…]
//! ```

use std::path::PathBuf;

use xc_avatar_core::avatar::{
    DETECT_MAX_SIDE, Source, compact_face_model, faces_in_preview, faces_in_preview_with,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(input), Some(output)) = (args.next(), args.next()) else {
        return Err("usage: compact-face-model IN.bin OUT.f16.bin [PICTURE…]".into());
    };
    let full = std::fs::read(&input)?;
    let compact = compact_face_model(&full).ok_or("not a SeetaFace model")?;
    std::fs::write(&output, &compact)?;
    println!(
        "{} → {}: {} → {} bytes",
        input.display(),
        output.display(),
        full.len(),
        compact.len()
    );
    for picture in args {
        let source = Source::open(&picture)?;
        let (preview, scale) = source.preview(DETECT_MAX_SIDE)?;
        let show = |faces: Vec<xc_avatar_core::avatar::Face>| {
            faces
                .iter()
                .map(|f| {
                    format!(
                        "({:.0},{:.0} {:.0}×{:.0} score {:.1})",
                        f.x, f.y, f.width, f.height, f.score
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        println!("{}", picture.display());
        println!(
            "  f32: {}",
            show(faces_in_preview_with(&full, &preview, scale))
        );
        println!("  f16: {}", show(faces_in_preview(&preview, scale)));
    }
    Ok(())
}

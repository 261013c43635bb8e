//! The bodies of the executor's tasks: decoding a picture, changing the tenant's picture,
//! fetching it, and the credential's verbs. Each runs on the runtime and reports one
//! [`TaskEvent`]; none touches `AppState`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use eframe::egui;

use super::{ClientCache, EventSender};
use crate::TenantUrl;
use crate::api::{self, ApiError, CallEvent, ClientOptions, RetryPolicy, WhoAmI};
use crate::app::effects::{ChangeRequest, LoadWhat};
use crate::app::msg::{
    ChangeError, ChangeEvent, ChangeOutcome, CurrentPicture, LoadedPhoto, Pasted, PhotoEvent,
    SetupProblem,
};
use crate::app::state::Connection;
use crate::avatar::{self, AvatarError, Source};
use crate::credentials::{Credential, CredentialInput, SecretStore};
use crate::messages::{PASTED_NAME, file_name};
use crate::sign_in::{self, CredentialProblem, Origin};

/// A photo's preview, in which to look for faces, with its scale (preview pixels per picture
/// pixel).
pub type FacePreview = (image::RgbaImage, f64);

/// Opens what a load names and makes its texture (texture uploads are thread-safe in egui);
/// with the preview to look for faces in (none for an initials avatar).
pub fn load(
    ctx: &egui::Context,
    generation: u64,
    what: LoadWhat,
) -> (PhotoEvent, Option<FacePreview>) {
    let result = match what {
        LoadWhat::Initials(name) => {
            let result = initials(ctx, &name);
            return (PhotoEvent::Loaded { generation, result }, None);
        }
        LoadWhat::File(path) => Source::open(&path).map(|source| (source, Some(path))),
        LoadWhat::Pasted(Pasted::Path(path)) => {
            if !path.is_file() {
                return (PhotoEvent::PasteIgnored { generation }, None);
            }
            Source::open(&path).map(|source| (source, Some(path)))
        }
        // Refused by `update` with a notice before any load starts.
        LoadWhat::Pasted(Pasted::NetworkPath(_)) => {
            return (PhotoEvent::PasteIgnored { generation }, None);
        }
        LoadWhat::Pasted(Pasted::FileList) => match copied_file() {
            Some(path) => Source::open(&path).map(|source| (source, Some(path))),
            None => return (PhotoEvent::PasteIgnored { generation }, None),
        },
        LoadWhat::Pasted(Pasted::Image(image)) => png_of(&image)
            .and_then(Source::from_bytes)
            .map(|source| (source, None)),
    };
    let mut for_faces = None;
    let result = result.and_then(|(source, path)| {
        let (preview, scale) = source.preview(avatar::PREVIEW_MAX_SIDE)?;
        let loaded = LoadedPhoto {
            name: path
                .as_deref()
                .map_or_else(|| PASTED_NAME.to_owned(), file_name),
            folder: path
                .as_deref()
                .and_then(Path::parent)
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf),
            source,
            texture: texture(ctx, "photo", &preview),
        };
        for_faces = Some((preview, scale));
        Ok(loaded)
    });
    (PhotoEvent::Loaded { generation, result }, for_faces)
}

/// An avatar of `name`'s initials, opened as a photo is: the same preview, framing and upload.
fn initials(ctx: &egui::Context, name: &str) -> Result<LoadedPhoto, AvatarError> {
    let monogram = avatar::Monogram::new(name);
    let source = Source::from_bytes(monogram.png(avatar::DEFAULT_SIZE)?)?;
    let (preview, _) = source.preview(avatar::PREVIEW_MAX_SIDE)?;
    Ok(LoadedPhoto {
        name: crate::messages::initials_name(monogram.initials(), monogram.draws_letters()),
        folder: None,
        texture: texture(ctx, "photo", &preview),
        source,
    })
}

/// The first file of the list a file manager copied, if the clipboard holds one. A file on
/// another computer (a UNC path) is passed over before anything looks at it: on Windows even
/// that signs in to the other computer (see `paste.rs`).
fn copied_file() -> Option<PathBuf> {
    let mut clipboard = arboard::Clipboard::new().ok()?;
    let files = clipboard.get().file_list().ok()?;
    files.into_iter().find(|path| {
        let network = crate::app::paste::is_unc(&path.to_string_lossy());
        if network {
            tracing::warn!("a copied file on another computer was not opened");
        }
        !network && path.is_file()
    })
}

/// A picture for the screen. Mipmaps keep the 32 px preview smooth rather than aliased.
pub fn texture(ctx: &egui::Context, name: &str, image: &image::RgbaImage) -> egui::TextureHandle {
    let image = egui::ColorImage::from_rgba_unmultiplied(
        [image.width() as usize, image.height() as usize],
        image.as_raw(),
    );
    ctx.load_texture(
        name,
        image,
        egui::TextureOptions::LINEAR.with_mipmap_mode(Some(egui::TextureFilter::Linear)),
    )
}

/// A pasted image as PNG, so it goes through the same checks and pipeline as a file.
fn png_of(image: &egui::ColorImage) -> Result<Vec<u8>, AvatarError> {
    use image::ImageEncoder as _;
    // Checked before copying or encoding a pixel, as a file's header is.
    let [width, height] = image.size;
    let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err(AvatarError::TooLarge {
            dimensions: None,
            limits: avatar::Limits::PICTURE,
        });
    };
    if !avatar::Limits::PICTURE.fit((width, height)) {
        return Err(AvatarError::TooLarge {
            dimensions: Some((width, height)),
            limits: avatar::Limits::PICTURE,
        });
    }
    let rgba: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let mut png = Vec::new();
    // Fast compression: this PNG only carries the pixels to the loader.
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(&rgba, width, height, image::ExtendedColorType::Rgba8)
    .map_err(|e| AvatarError::Encode(e.to_string()))?;
    Ok(png)
}

pub async fn fetch_current(
    clients: &ClientCache,
    connection: &Connection,
    ctx: &egui::Context,
) -> Result<Option<CurrentPicture>, ApiError> {
    let client = clients.get(connection)?;
    let Some(picture) = client.current_image().await? else {
        return Ok(None);
    };
    let shown = picture.clone();
    let ctx = ctx.clone();
    // Decoded within an avatar's limits, off the runtime's threads; a newer fetch or closing
    // the window abandons it.
    let texture = tokio::task::spawn_blocking(move || {
        let image = shown.preview(256).ok()?;
        Some(texture(&ctx, "current", &image))
    })
    .await
    .ok()
    .flatten();
    Ok(Some(CurrentPicture { picture, texture }))
}

pub async fn change(
    clients: &ClientCache,
    id: u64,
    request: ChangeRequest,
    connection: &Connection,
    sender: &EventSender,
) -> Result<ChangeOutcome, ChangeError> {
    let events = sender.clone();
    let client = clients.get(connection)?.on_event(move |event: &CallEvent| {
        let CallEvent::Retrying { wait, .. } = event;
        events.send(ChangeEvent::Retrying {
            id,
            event: event.clone(),
            at: Instant::now() + *wait,
        })
    });
    let sent = || sender.send(ChangeEvent::Sending { id });
    Ok(match request {
        ChangeRequest::Upload {
            source,
            framing,
            prepared,
        } => {
            let avatar = match prepared {
                Some(avatar) => avatar,
                None => tokio::task::spawn_blocking(move || {
                    avatar::render(&source, &framing, &avatar::Output::default())
                })
                .await
                .map_err(|e| AvatarError::Encode(e.to_string()))??,
            };
            sent();
            client.update_image(&avatar).await?;
            ChangeOutcome::Uploaded(avatar)
        }
        ChangeRequest::Restore(picture) => {
            sent();
            client
                .put_image(&picture.content_type, &picture.bytes)
                .await?;
            ChangeOutcome::Restored
        }
        ChangeRequest::Remove => {
            sent();
            client.delete_image().await?;
            ChangeOutcome::Removed
        }
    })
}

// ---- the credential's verbs ----

/// A test answers now or fails: no retries behind the user's back.
fn test_options() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy::none(),
        ..ClientOptions::default()
    }
}

/// Opens the credential (off the async threads: a `.p12`'s key derivation takes a while),
/// then asks the tenant who it acts as.
pub async fn test_credential(
    tenant: TenantUrl,
    input: CredentialInput,
) -> Result<(WhoAmI, Credential), SetupProblem> {
    let opened = tokio::task::spawn_blocking(move || sign_in::open(&input, Origin::Entered))
        .await
        .map_err(|join| {
            SetupProblem::Api(ApiError::Internal {
                detail: format!("opening the credential failed: {join}"),
            })
        })?;
    let found = opened.map_err(SetupProblem::Credential)?;
    api::whoami_as(tenant, &found.credential, test_options())
        .await
        .map(|me| (me, found.credential))
        .map_err(SetupProblem::Api)
}

/// Opens the credential and, if `keep`, keeps its secret: blocking.
pub fn save_credential(
    tenant: &TenantUrl,
    input: &CredentialInput,
    keep: bool,
    store: &dyn SecretStore,
) -> Result<Credential, CredentialProblem> {
    let found = sign_in::open(input, Origin::Entered)?;
    if keep {
        sign_in::keep_secret(tenant, input, store).map_err(CredentialProblem::Store)?;
    }
    Ok(found.credential)
}

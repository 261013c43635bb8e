//! The photo being framed: opening (dialog, drop, paste), framing, and what its framing
//! encodes to.

use crate::app::effects::{Effect, LoadWhat};
use crate::app::msg::{Pasted, PhotoAction, PhotoEvent};
use crate::app::state::{AppState, Notice, Photo, Prepared, Screen, Tone};
use crate::avatar::{Edit, Framing};
use crate::messages::{self, file_name};

pub fn act(state: &mut AppState, action: PhotoAction, effects: &mut Vec<Effect>) {
    match action {
        PhotoAction::OpenDialog => effects.push(Effect::PickPicture {
            folder: state.tenant.settings.last_folder.clone(),
        }),
        // A certificate or key dropped on the setup screen fills its field.
        PhotoAction::Load(path)
            if matches!(state.screen, Screen::Setup(_))
                && super::setup::credential_file_field(&path).is_some() =>
        {
            super::setup::file_chosen(state, None, Some(path));
        }
        PhotoAction::Load(path) => {
            let name = file_name(&path);
            start_load(state, name, LoadWhat::File(path), effects);
        }
        PhotoAction::Paste(Pasted::NetworkPath(named)) => {
            let mut notice = Notice::new(Tone::Error, messages::network_path_refused(&named));
            notice.next_step = Some(messages::NETWORK_PATH_NEXT_STEP.to_owned());
            state.notice = Some(notice);
        }
        PhotoAction::Paste(pasted) => {
            let name = match &pasted {
                Pasted::Image(_) => messages::PASTED_NAME.to_owned(),
                Pasted::Path(path) => file_name(path),
                Pasted::FileList | Pasted::NetworkPath(_) => messages::PASTED_FILE.to_owned(),
            };
            start_load(state, name, LoadWhat::Pasted(pasted), effects);
        }
        PhotoAction::Frame(edit) => {
            if let Some(photo) = &mut state.photo.photo {
                edit.apply(&mut photo.framing);
                photo.touched = true;
                if let Edit::OnFace(face) = edit {
                    photo.face = photo.faces.iter().position(|f| *f == face);
                }
            }
        }
        PhotoAction::UseInitials { name } => {
            let shown = messages::INITIALS_LOADING.to_owned();
            start_load(state, shown, LoadWhat::Initials(name), effects);
        }
    }
}

fn start_load(state: &mut AppState, name: String, what: LoadWhat, effects: &mut Vec<Effect>) {
    let photos = &mut state.photo;
    photos.load_generation += 1;
    photos.loading = Some(name);
    effects.push(Effect::Load {
        generation: photos.load_generation,
        what,
    });
}

pub fn handle(state: &mut AppState, event: PhotoEvent, effects: &mut Vec<Effect>) {
    match event {
        PhotoEvent::Picked(Some(path)) => act(state, PhotoAction::Load(path), effects),
        PhotoEvent::Picked(None) => {}
        PhotoEvent::Loaded { generation, .. }
        | PhotoEvent::PasteIgnored { generation }
        | PhotoEvent::FacesFound { generation, .. }
            if generation != state.photo.load_generation => {}
        PhotoEvent::FacesFound { generation, faces } => {
            let Some(photo) = state
                .photo
                .photo
                .as_mut()
                .filter(|p| p.generation == generation)
            else {
                return;
            };
            // A user who started framing before the search ended keeps their framing: the
            // face only becomes where Reset goes (and Next face, a click, offer the others).
            if let Some(largest) = faces.first() {
                if photo.touched {
                    photo.framing.set_home_on_face(largest);
                } else {
                    photo.framing = Framing::around_face(photo.source.size(), largest);
                }
                photo.face = Some(0);
            }
            photo.faces = faces;
            photo.faces_known = true;
        }
        PhotoEvent::PasteIgnored { .. } => state.photo.loading = None,
        PhotoEvent::Loaded { result, .. } => {
            state.photo.loading = None;
            match result {
                Ok(loaded) => {
                    let settings = &mut state.tenant.settings;
                    if loaded.folder.is_some() && loaded.folder != settings.last_folder {
                        settings.last_folder = loaded.folder;
                        effects.push(Effect::SaveSettings(settings.clone()));
                    }
                    state.photo.photo = Some(Photo::new(
                        loaded.name,
                        loaded.source,
                        loaded.texture,
                        state.photo.load_generation,
                    ));
                    state.notice = None;
                }
                // Whatever was open before stays.
                Err(err) => {
                    state.notice = Some(Notice::new(Tone::Error, messages::cannot_open(&err)));
                }
            }
        }
        PhotoEvent::Prepared {
            generation,
            framing,
            result,
        } => {
            let photos = &mut state.photo;
            photos.preparing = None;
            if photos.photo.as_ref().map(|p| p.generation) == Some(generation) {
                photos.prepared = Some(Prepared {
                    generation,
                    framing,
                    result: result.map_err(|err| messages::cannot_send(&err)),
                });
            }
        }
    }
}

/// Starts encoding the current framing, unless that is known or being encoded.
pub fn refresh_prepared(state: &mut AppState, effects: &mut Vec<Effect>) {
    let photos = &mut state.photo;
    let Some(photo) = &photos.photo else {
        return;
    };
    if photos.preparing.is_none() && !photos.prepared_is_current() {
        photos.preparing = Some((photo.generation, photo.framing));
        effects.push(Effect::Prepare {
            generation: photo.generation,
            source: photo.source.clone(),
            framing: photo.framing,
        });
    }
}

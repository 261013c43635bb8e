//! The executor on its own: effects in, events out, against the fake tenant and real files.

use std::sync::Mutex;
use std::sync::mpsc;
use std::thread::ThreadId;

use crate::harness::*;
use xc_avatar::app::{
    ChangeEvent, ChangeRequest, Connection, Effect, Executor, LoadWhat, PhotoEvent, TaskEvent,
};
use xc_avatar::avatar::{self, Framing, Source};
use xc_avatar::sign_in::Origin;

/// Notes the thread each dialog is made on.
#[derive(Default)]
struct RecordsThread(Mutex<Vec<ThreadId>>);

impl FilePicker for RecordsThread {
    fn pick_image(&self, _folder: Option<PathBuf>, _parent: Option<&eframe::Frame>) -> PickFuture {
        self.0
            .lock()
            .expect("threads")
            .push(std::thread::current().id());
        Box::pin(async { None })
    }
}

fn executor(store: Arc<dyn SecretStore>, settings: Option<SettingsFile>) -> Executor {
    Executor::new(
        egui::Context::default(),
        Arc::new(RecordsThread::default()),
        store,
        settings,
        Environment::default(),
    )
    .expect("executor")
}

/// Waits for the first event `pick` accepts; the others are dropped.
fn next_event<T>(executor: &Executor, what: &str, pick: impl Fn(TaskEvent) -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for event in executor.drain() {
            if let Some(found) = pick(event) {
                return found;
            }
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The start-up fetch, an upload and the re-fetch after it share one kept-alive connection
/// (before: a client, so a TCP and TLS handshake, per call).
#[test]
fn one_connection_serves_the_fetch_the_upload_and_the_refetch() {
    let fixture = Fixture::new();
    let connection = Connection {
        tenant: fixture.tenant_url(),
        credential: ApiToken::new(DEFAULT_TOKEN).expect("token").into(),
        origin: Origin::Kept,
    };
    let mut executor = executor(Arc::new(MemoryStore::new()), None);
    let fetch = |executor: &mut Executor, generation| {
        executor.run(
            Effect::FetchCurrent {
                generation,
                connection: connection.clone(),
            },
            None,
        );
        next_event(executor, "the current picture", |e| match e {
            TaskEvent::Change(ChangeEvent::Current { result, .. }) => {
                Some(result.expect("fetched"))
            }
            _ => None,
        })
    };
    assert!(fetch(&mut executor, 1).is_none());

    let source =
        Source::from_bytes(std::fs::read(fixture.photo("a.jpg")).expect("photo")).expect("source");
    let framing = Framing::new(source.size());
    executor.run(
        Effect::StartChange {
            id: 1,
            request: ChangeRequest::Upload {
                source,
                framing,
                prepared: None,
            },
            connection: connection.clone(),
        },
        None,
    );
    next_event(&executor, "the upload", |e| match e {
        TaskEvent::Change(ChangeEvent::Finished { result, .. }) => Some(result.expect("uploaded")),
        _ => None,
    });
    assert!(fetch(&mut executor, 2).is_some());
    // GET image (404: none yet), the settings fallback and whoami (the name beside the
    // preview), PUT, then GET image and whoami again.
    let calls: Vec<String> = fixture
        .tenant
        .received()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let image = fake_tenant::IMAGE_PATH;
    assert_eq!(
        calls,
        [
            format!("GET {image}"),
            format!("GET {}", fake_tenant::SETTINGS_PATH),
            format!("GET {}", fake_tenant::WHOAMI_PATH),
            format!("PUT {image}"),
            format!("GET {image}"),
            format!("GET {}", fake_tenant::WHOAMI_PATH),
        ]
    );
    assert_eq!(fixture.tenant.connections(), 1);
}

/// A store whose calls never return, as a keyring behind an unanswered unlock prompt.
struct StuckKeyring(Mutex<mpsc::Receiver<()>>);

impl SecretStore for StuckKeyring {
    fn get(&self, _: &TenantUrl, _: SecretKind) -> Result<Option<Secret>, StoreError> {
        let _ = self
            .0
            .lock()
            .expect("stuck")
            .recv_timeout(Duration::from_secs(60));
        Ok(None)
    }
    fn set(&self, _: &TenantUrl, _: &Secret) -> Result<(), StoreError> {
        Ok(())
    }
    fn delete(&self, _: &TenantUrl, _: SecretKind) -> Result<bool, StoreError> {
        Ok(false)
    }
    fn location(&self) -> &'static str {
        "a stuck keyring"
    }
}

/// Closing the window while a keyring call runs must not wait for it (before: dropping the
/// runtime waited for every blocking job, so the process hung until the prompt was answered).
#[test]
fn closing_does_not_wait_for_a_stuck_keyring() {
    let (_release, stuck) = mpsc::channel();
    let mut executor = executor(Arc::new(StuckKeyring(Mutex::new(stuck))), None);
    executor.run(
        Effect::ReadCredential {
            tenant: TenantUrl::parse("https://acme.console.ves.volterra.io").expect("tenant"),
            settings: Settings::default(),
        },
        None,
    );
    std::thread::sleep(Duration::from_millis(100));
    let (dropped, done) = mpsc::channel();
    std::thread::spawn(move || {
        drop(executor);
        let _ = dropped.send(());
    });
    assert!(
        done.recv_timeout(Duration::from_secs(2)).is_ok(),
        "closing waited for the keyring"
    );
}

/// Saves race on blocking threads; the file must end with the last one asked for (before: the
/// last rename won, whichever save that was).
#[test]
fn the_last_settings_save_asked_for_is_the_one_kept() {
    let dir = tempfile::tempdir().expect("dir");
    let file = SettingsFile::new(dir.path().join("settings.json"));
    let mut executor = executor(Arc::new(MemoryStore::new()), Some(file.clone()));
    for n in 0..60 {
        let settings = Settings {
            last_folder: Some(PathBuf::from(format!("/photos/{n}"))),
            ..Settings::default()
        };
        executor.run(Effect::SaveSettings(settings), None);
    }
    let last = Some(PathBuf::from("/photos/59"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while file.load().0.last_folder != last {
        assert!(Instant::now() < deadline, "the last save never landed");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Nothing older lands after it.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(file.load().0.last_folder, last);
}

/// Loads asked for while one runs are not all decoded: only the newest waiting one is.
#[test]
fn superseded_loads_are_never_decoded() {
    let fixture = Fixture::new();
    let mut executor = executor(Arc::new(MemoryStore::new()), None);
    let photos: Vec<PathBuf> = (1..=5)
        .map(|n| fixture.photo(&format!("{n}.jpg")))
        .collect();
    for (generation, path) in (1..).zip(photos) {
        executor.run(
            Effect::Load {
                generation,
                what: LoadWhat::File(path),
            },
            None,
        );
    }
    let mut loaded = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !loaded.contains(&5) {
        assert!(Instant::now() < deadline, "timed out waiting for the loads");
        std::thread::sleep(Duration::from_millis(5));
        for event in executor.drain() {
            if let TaskEvent::Photo(PhotoEvent::Loaded { generation, result }) = event {
                assert!(result.is_ok(), "{generation}");
                loaded.push(generation);
            }
        }
    }
    // Anything decoded anyway would report shortly after.
    std::thread::sleep(Duration::from_millis(500));
    for event in executor.drain() {
        if let TaskEvent::Photo(PhotoEvent::Loaded { generation, .. }) = event {
            loaded.push(generation);
        }
    }
    assert_eq!(loaded, [1, 5]);
}

/// macOS makes dialogs on the main thread only: the picker is called on the caller's (UI)
/// thread, and only its answer is awaited elsewhere.
#[test]
fn the_file_dialog_is_made_on_the_ui_thread() {
    let picker = Arc::new(RecordsThread::default());
    let mut executor = Executor::new(
        egui::Context::default(),
        picker.clone(),
        Arc::new(MemoryStore::new()),
        None,
        Environment::default(),
    )
    .expect("executor");
    executor.run(Effect::PickPicture { folder: None }, None);
    next_event(&executor, "the dialog's answer", |e| match e {
        TaskEvent::Photo(PhotoEvent::Picked(picked)) => Some(picked),
        _ => None,
    });
    assert_eq!(
        *picker.0.lock().expect("threads"),
        [std::thread::current().id()]
    );
}

#[test]
fn a_pasted_image_too_large_to_be_a_photo_is_refused_before_it_is_copied() {
    let mut executor = executor(Arc::new(MemoryStore::new()), None);
    // 20000×1 pixels: within memory, but wider than any picture the loader takes.
    let image = Arc::new(egui::ColorImage::filled([20_000, 1], egui::Color32::RED));
    executor.run(
        Effect::Load {
            generation: 1,
            what: LoadWhat::Pasted(xc_avatar::app::Pasted::Image(image)),
        },
        None,
    );
    let result = next_event(&executor, "the load", |e| match e {
        TaskEvent::Photo(PhotoEvent::Loaded { result, .. }) => Some(result),
        _ => None,
    });
    match result {
        Err(avatar::AvatarError::TooLarge {
            dimensions: Some((20_000, 1)),
            ..
        }) => {}
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a 20000-pixel-wide paste was accepted"),
    }
}

/// Copying a file in a file manager puts a file list on the clipboard, not a path: Ctrl+V reads
/// it (a real X11 clipboard under the Xvfb that scripts/test starts).
#[test]
#[ignore = "needs an X11 clipboard: scripts/test starts Xvfb"]
fn a_file_copied_in_a_file_manager_is_pasted() {
    support::require_env("DISPLAY", "an X display");
    let fixture = Fixture::new();
    let photo = fixture.photo("copied in a file manager.jpg");
    let _clipboard = own_the_clipboard();
    let mut clipboard = arboard::Clipboard::new().expect("the X11 clipboard");
    clipboard
        .set()
        .file_list(std::slice::from_ref(&photo))
        .expect("copy the file");
    let mut executor = executor(Arc::new(MemoryStore::new()), None);
    executor.run(
        Effect::Load {
            generation: 1,
            what: LoadWhat::Pasted(xc_avatar::app::Pasted::FileList),
        },
        None,
    );
    let loaded = next_event(&executor, "the paste", |e| match e {
        TaskEvent::Photo(PhotoEvent::Loaded { result, .. }) => Some(result.expect("loaded")),
        TaskEvent::Photo(PhotoEvent::PasteIgnored { .. }) => {
            panic!("the copied file was not found")
        }
        _ => None,
    });
    assert_eq!(loaded.name, "copied in a file manager.jpg");
}

/// The file dialog offers every format the loader reads: each fixture that opens has its
/// extension in the dialog's filter, in both cases (Linux choosers match globs by case, cameras
/// write `.JPG`; macOS takes the list literally, so nothing may be missing there).
#[test]
fn the_dialog_offers_every_format_that_opens() {
    use xc_avatar::app::IMAGE_EXTENSIONS;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut opened = 0;
    for entry in std::fs::read_dir(&fixtures).expect("fixtures") {
        let path = entry.expect("entry").path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        if Source::open(&path).is_err() {
            continue; // a script, or a fixture that is broken on purpose
        }
        opened += 1;
        for case in [ext.to_lowercase(), ext.to_uppercase()] {
            assert!(
                IMAGE_EXTENSIONS.contains(&case.as_str()),
                "{} opens, but the dialog does not offer *.{case}",
                path.display()
            );
        }
    }
    assert!(opened >= 8, "only {opened} fixtures opened");
}

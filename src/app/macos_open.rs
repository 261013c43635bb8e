//! macOS hands a file to open — "Open With", a double-click on a picture whose default app we
//! are, a drop on the Dock icon — to the application delegate as `application:openURLs:`, never
//! through argv. winit 0.30 owns the delegate (`WinitApplicationDelegate`, set in
//! `EventLoop::new`) and does not implement that method, so macOS would answer "xc-avatar cannot
//! open files in the JPEG format".
//!
//! eframe builds the event loop and starts `NSApp run` inside `run_native`, leaving us no moment
//! in between. AppKit posts `NSApplicationWillFinishLaunchingNotification` inside `run`, after the
//! delegate is set and before it delivers the open request a launch came with (Apple's
//! NSApplicationDelegate docs: "applicationWillFinishLaunching: is sent before
//! application:openFile:"). So `install` registers for that notification, and the observer adds
//! `application:openURLs:` to the delegate's class, as Tauri apps patch theirs. NSApplication asks
//! `respondsToSelector:` when a request arrives, so a method added before the first one is found.
//!
//! Only the Objective-C runtime is used (objc2's `msg_send!`), no AppKit bindings: the classes
//! and selectors named here are stable public AppKit/Foundation API.

use std::ffi::{CStr, c_char};
use std::os::unix::ffi::OsStrExt as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use objc2::ffi;
use objc2::runtime::{AnyClass, AnyObject, Imp, Sel};
use objc2::{msg_send, sel};

type OnOpen = Box<dyn Fn(Vec<PathBuf>) + Send + Sync>;

static ON_OPEN: OnceLock<OnOpen> = OnceLock::new();

/// Sends the files macOS asks us to open to `on_open`, from before the window exists until
/// the app quits. Call once, on the main thread, before eframe runs.
pub fn install(on_open: impl Fn(Vec<PathBuf>) + Send + Sync + 'static) {
    if ON_OPEN.set(Box::new(on_open)).is_err() {
        return;
    }
    let Some(application) = AnyClass::get(c"NSApplication") else {
        tracing::warn!("no NSApplication class: files opened from Finder are ignored");
        return;
    };
    let Some(center_class) = AnyClass::get(c"NSNotificationCenter") else {
        return;
    };
    // SAFETY: the method is added to NSApplication under a name of our own, with the
    // signature `- (void)xcAvatarWillFinishLaunching:(NSNotification *)note`, which
    // `will_finish_launching` has. Registering the shared application as the observer keeps
    // the observer alive for the whole run without an object of ours.
    objc2::rc::autoreleasepool(|_| unsafe {
        let added = ffi::class_addMethod(
            (application as *const AnyClass).cast_mut(),
            sel!(xcAvatarWillFinishLaunching:),
            std::mem::transmute::<extern "C-unwind" fn(&AnyObject, Sel, *mut AnyObject), Imp>(
                will_finish_launching,
            ),
            c"v@:@".as_ptr(),
        );
        if !added.as_bool() {
            return;
        }
        let app: *mut AnyObject = msg_send![application, sharedApplication];
        let center: *mut AnyObject = msg_send![center_class, defaultCenter];
        let name = ns_string(c"NSApplicationWillFinishLaunchingNotification");
        if app.is_null() || center.is_null() || name.is_null() {
            return;
        }
        let nil: *mut AnyObject = std::ptr::null_mut();
        let _: () = msg_send![
            center,
            addObserver: app,
            selector: sel!(xcAvatarWillFinishLaunching:),
            name: name,
            object: nil
        ];
    });
}

/// Runs `body`, called from AppKit: a panic in it is caught and logged here, never unwound
/// through AppKit's frames (which is undefined behaviour at worst, an abort at best).
fn without_unwinding(what: &str, body: impl FnOnce()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).is_err() {
        tracing::error!("{what} failed (a bug in xc-avatar); the app goes on");
    }
}

/// The notification's observer: gives winit's delegate `application:openURLs:`.
extern "C-unwind" fn will_finish_launching(app: &AnyObject, _cmd: Sel, note: *mut AnyObject) {
    without_unwinding("setting up files opened from Finder", || {
        add_open_urls(app, note)
    });
}

fn add_open_urls(app: &AnyObject, _note: *mut AnyObject) {
    // SAFETY: `delegate` and `class` are plain getters; the added method's signature is
    // `- (void)application:(NSApplication *)app openURLs:(NSArray<NSURL *> *)urls`, which
    // `open_urls` has.
    unsafe {
        let delegate: *mut AnyObject = msg_send![app, delegate];
        let Some(delegate) = delegate.as_ref() else {
            tracing::warn!("no application delegate: files opened from Finder are ignored");
            return;
        };
        let added = ffi::class_addMethod(
            (delegate.class() as *const AnyClass).cast_mut(),
            sel!(application:openURLs:),
            std::mem::transmute::<
                extern "C-unwind" fn(&AnyObject, Sel, *mut AnyObject, *mut AnyObject),
                Imp,
            >(open_urls),
            c"v@:@@".as_ptr(),
        );
        if !added.as_bool() {
            // A newer winit implements it itself; then it is winit's to deliver.
            tracing::warn!("the application delegate already handles application:openURLs:");
        }
    }
}

/// `application:openURLs:` — the local files among `urls`, to `ON_OPEN`.
extern "C-unwind" fn open_urls(
    _delegate: &AnyObject,
    _cmd: Sel,
    _app: *mut AnyObject,
    urls: *mut AnyObject,
) {
    without_unwinding("opening files from Finder", || send_urls(urls));
}

fn send_urls(urls: *mut AnyObject) {
    let mut paths = Vec::new();
    // SAFETY: `urls` is an NSArray of NSURL (AppKit's documented argument); `count`,
    // `objectAtIndex:`, `isFileURL` and `fileSystemRepresentation` are plain getters, and the
    // path's bytes are copied before the URL's autoreleased buffer can go.
    unsafe {
        let Some(urls) = urls.as_ref() else { return };
        let count: usize = msg_send![urls, count];
        for index in 0..count {
            let url: *mut AnyObject = msg_send![urls, objectAtIndex: index];
            let Some(url) = url.as_ref() else { continue };
            let is_file: bool = msg_send![url, isFileURL];
            if !is_file {
                continue;
            }
            let bytes: *const c_char = msg_send![url, fileSystemRepresentation];
            if !bytes.is_null() {
                let bytes = CStr::from_ptr(bytes).to_bytes();
                paths.push(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)));
            }
        }
    }
    if let Some(on_open) = ON_OPEN.get()
        && !paths.is_empty()
    {
        on_open(paths);
    }
}

/// An autoreleased NSString; null if Foundation refuses the bytes.
unsafe fn ns_string(text: &CStr) -> *mut AnyObject {
    let Some(class) = AnyClass::get(c"NSString") else {
        return std::ptr::null_mut();
    };
    // SAFETY: `stringWithUTF8String:` takes a NUL-terminated UTF-8 C string.
    unsafe { msg_send![class, stringWithUTF8String: text.as_ptr()] }
}

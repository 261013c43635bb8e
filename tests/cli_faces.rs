//! `prepare` and `upload` frame on the face by default, and `monogram` / `upload --monogram`
//! make an initials avatar: the real binary, on scenes built from a real portrait, against the
//! fake tenant.

mod support;

use std::path::Path;
use std::process::Output;

use base64::Engine as _;
use fake_tenant::{DEFAULT_TOKEN, FakeTenant, IMAGE_PATH};
use serde_json::Value;
use support::Hermetic;
use support::scenes::{self, Scene};

fn xc_avatar(args: &[&str], tenant: Option<&str>) -> Output {
    let mut command = Hermetic::xc_avatar().with_args(args);
    if let Some(tenant) = tenant {
        command = command.tenant(tenant).token(DEFAULT_TOKEN);
    }
    let output = command.output();
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "xc-avatar panicked:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn write_scene(dir: &Path, scene: &Scene) -> String {
    let path = dir.join("scene.jpg");
    std::fs::write(&path, &scene.bytes).expect("write scene");
    path.to_str().expect("utf-8 path").to_owned()
}

/// `prepare --json` on a scene: its JSON and the avatar written.
fn prepare(scene: &Scene, extra: &[&str]) -> (Output, Value, Vec<u8>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_scene(dir.path(), scene);
    let out = dir.path().join("avatar.jpg");
    let mut args = vec![
        "prepare",
        file.as_str(),
        "-o",
        out.to_str().expect("utf-8"),
        "--json",
    ];
    args.extend_from_slice(extra);
    let output = xc_avatar(&args, None);
    let json = json_of(&output);
    let avatar = std::fs::read(&out).unwrap_or_default();
    (output, json, avatar)
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{value} is not a number"))
}

/// The test, on what `--json` reports: the face's centre near the crop's and its
/// height a quarter to 70 % of the side.
fn assert_on_face(json: &Value, face: (f64, f64, f64, f64), what: &str) {
    let crop = &json["crop"];
    let (x, y, side) = (
        number(&crop["x"]),
        number(&crop["y"]),
        number(&crop["side"]),
    );
    let (fx, fy, fw, fh) = face;
    let across = ((fx + fw / 2.0) - (x + side / 2.0)).abs() / side;
    let down = ((fy + fh / 2.0) - (y + side / 2.0)).abs() / side;
    assert!(
        across <= 0.15 && down <= 0.20 && (0.25..=0.70).contains(&(fh / side)),
        "{what}: face {face:?}, crop {crop}"
    );
}

#[test]
fn prepare_frames_on_the_face_and_reports_it() {
    let scene = scenes::off_centre();
    let (output, json, avatar) = prepare(&scene, &[]);
    assert_eq!(output.status.code(), Some(0), "{json}");
    assert_eq!(json["framing"], "face", "{json}");
    assert_on_face(&json, scene.faces[0], scene.name);
    let faces = json["faces"].as_array().expect("faces listed");
    assert_eq!(faces.len(), 1, "{json}");
    for key in ["x", "y", "w", "h"] {
        assert!(faces[0][key].is_i64(), "{key} in whole pixels: {json}");
    }
    let image = image::load_from_memory(&avatar).expect("the avatar decodes");
    assert_eq!((image.width(), image.height()), (512, 512));

    // A person reads the same in one line.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_scene(dir.path(), &scene);
    let out = dir.path().join("a.jpg");
    let output = xc_avatar(
        &["prepare", &file, "-o", out.to_str().expect("utf-8")],
        None,
    );
    let line = String::from_utf8_lossy(&output.stdout);
    assert!(
        line.contains("512×512 JPEG") && line.contains("framed on the face"),
        "{line}"
    );
}

#[test]
fn frame_centre_keeps_the_centred_square() {
    let scene = scenes::off_centre();
    let (output, json, _) = prepare(&scene, &["--frame", "centre"]);
    assert_eq!(output.status.code(), Some(0), "{json}");
    assert_eq!(json["framing"], "centre");
    assert_eq!(
        json["crop"],
        serde_json::json!({"x": 500, "y": 0, "side": 3000})
    );
    assert!(json["faces"].is_null(), "not looked for: {json}");
    // The American spelling is accepted too.
    let (output, json, _) = prepare(&scene, &["--frame", "center"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(json["framing"], "centre");
}

#[test]
fn no_face_frames_the_centre_with_no_message() {
    let scene = scenes::no_face();
    let (output, json, _) = prepare(&scene, &[]);
    assert_eq!(output.status.code(), Some(0), "{json}");
    assert_eq!(json["framing"], "centre");
    assert_eq!(json["faces"], serde_json::json!([]));
    assert_eq!(
        json["crop"],
        serde_json::json!({"x": 400, "y": 0, "side": 1600})
    );
}

/// Two faces: the larger is framed and listed first.
#[test]
fn the_largest_of_two_faces_is_framed() {
    let scene = scenes::two_faces();
    let (_, json, _) = prepare(&scene, &[]);
    assert_eq!(json["framing"], "face");
    assert_on_face(&json, scene.faces[0], scene.name);
    let faces = json["faces"].as_array().expect("faces");
    assert_eq!(faces.len(), 2, "{json}");
    assert!(number(&faces[0]["w"]) > number(&faces[1]["w"]), "{json}");
}

/// Turned a quarter: crop and faces are in the turned picture's pixels, the face still framed,
/// and the crop given back with --crop makes the same avatar.
#[test]
fn rotate_keeps_the_face_framed_and_the_crop_can_be_given_back() {
    let scene = scenes::mirrored();
    let (output, json, avatar) = prepare(&scene, &["--rotate", "90"]);
    assert_eq!(output.status.code(), Some(0), "{json}");
    let face = &json["faces"][0];
    let (x, y, w, h) = (
        number(&face["x"]),
        number(&face["y"]),
        number(&face["w"]),
        number(&face["h"]),
    );
    let crop = &json["crop"];
    let (cx, cy, side) = (
        number(&crop["x"]),
        number(&crop["y"]),
        number(&crop["side"]),
    );
    assert!(
        x >= cx && y >= cy && x + w <= cx + side && y + h <= cy + side,
        "the face lies in the crop: {json}"
    );
    assert!(cx + side <= 1600.0 && cy + side <= 2400.0, "{json}");
    let given = format!("{cx},{cy},{side}");
    let (output, again, same) = prepare(&scene, &["--rotate", "90", "--crop", &given]);
    assert_eq!(output.status.code(), Some(0), "{again}");
    assert_eq!(again["framing"], "crop");
    assert_eq!(same, avatar, "the same square makes the same bytes");
}

#[test]
fn frame_and_crop_together_are_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_scene(dir.path(), &scenes::small());
    let out = dir.path().join("a.jpg");
    let output = xc_avatar(
        &[
            "prepare",
            &file,
            "-o",
            out.to_str().expect("utf-8"),
            "--frame",
            "centre",
            "--crop",
            "0,0,100",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot be used with"));
    assert!(!out.exists());
}

/// `upload` frames on the face too: what the tenant receives is the face framing's avatar.
#[test]
fn upload_sends_the_face_framing() {
    let tenant = FakeTenant::start();
    let scene = scenes::small();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_scene(dir.path(), &scene);
    let output = xc_avatar(&["upload", &file, "--json"], Some(&tenant.url()));
    let json = json_of(&output);
    assert_eq!(output.status.code(), Some(0), "{json}");
    assert_eq!(json["framing"], "face");
    assert_on_face(&json, scene.faces[0], scene.name);
    let (_, _, prepared) = prepare(&scene, &[]);
    let sent = tenant.image_of(DEFAULT_TOKEN).expect("uploaded").bytes;
    assert_eq!(sent, prepared, "upload sends exactly what prepare writes");
}

// ---- monogram ----

fn monogram(name: Option<&str>, out: &Path, tenant: Option<&str>) -> Output {
    let mut args = vec!["monogram", "-o", out.to_str().expect("utf-8")];
    if let Some(name) = name {
        args.extend(["--name", name]);
    }
    xc_avatar(&args, tenant)
}

/// The colour in the corner of a monogram, and the contrast of white letters on it.
fn corner_and_contrast(bytes: &[u8]) -> ([u8; 3], f64) {
    let image = image::load_from_memory(bytes).expect("decodes").to_rgb8();
    let corner = image.get_pixel(4, 4).0;
    (corner, xc_avatar::avatar::contrast(corner, [255, 255, 255]))
}

#[test]
fn the_same_name_gives_the_same_bytes_in_every_script() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut pictures = Vec::new();
    for (name, initials) in [
        ("Ada Lovelace", "AL"),
        ("Анна Каренина", "АК"),
        ("张伟", "张"),
        ("Plato", "P"),
    ] {
        let first = dir.path().join("first.png");
        let second = dir.path().join("second.png");
        let output = monogram(Some(name), &first, None);
        assert_eq!(output.status.code(), Some(0), "{name}: {output:?}");
        let line = String::from_utf8_lossy(&output.stdout);
        assert!(line.contains("512×512 PNG"), "{name}: {line}");
        monogram(Some(name), &second, None);
        let bytes = std::fs::read(&first).expect("written");
        assert_eq!(bytes, std::fs::read(&second).expect("written"), "{name}");
        let image = image::load_from_memory(&bytes).expect("a PNG");
        assert_eq!((image.width(), image.height()), (512, 512));
        let (corner, contrast) = corner_and_contrast(&bytes);
        assert!(contrast >= 4.5, "{name}: {corner:?} {contrast:.2}:1");
        // The letters are drawn: the middle is not all background.
        let rgb = image.to_rgb8();
        let lit = rgb.pixels().filter(|p| p.0 != corner).count();
        assert!(lit > 512 * 512 / 100, "{name}: {lit} pixels drawn");
        let json = json_of(&xc_avatar(
            &[
                "monogram",
                "--name",
                name,
                "-o",
                first.to_str().expect("utf-8"),
                "--json",
            ],
            None,
        ));
        assert_eq!(json["monogram"]["initials"], initials, "{json}");
        pictures.push(bytes);
    }
    for (i, a) in pictures.iter().enumerate() {
        assert!(!pictures[i + 1..].contains(a), "two names, one picture");
    }
}

#[test]
fn the_extension_picks_the_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let jpeg = dir.path().join("me.JPEG");
    let output = monogram(Some("Ada Lovelace"), &jpeg, None);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let bytes = std::fs::read(&jpeg).expect("written");
    assert_eq!(
        image::guess_format(&bytes).expect("an image"),
        image::ImageFormat::Jpeg
    );
    let again = dir.path().join("again.jpg");
    monogram(Some("Ada Lovelace"), &again, None);
    assert_eq!(std::fs::read(&again).expect("written"), bytes);
    let gif = dir.path().join("me.gif");
    let output = monogram(Some("Ada Lovelace"), &gif, None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains(".png or .jpg"));
    assert!(!gif.exists());
}

/// Without --name, the name is the tenant's: Ada Lovelace → "AL".
#[test]
fn without_a_name_the_tenant_says_who() {
    let tenant = FakeTenant::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("me.png");
    let output = xc_avatar(
        &["monogram", "-o", out.to_str().expect("utf-8"), "--json"],
        Some(&tenant.url()),
    );
    let json = json_of(&output);
    assert_eq!(json["monogram"]["initials"], "AL", "{json}");
    assert_eq!(json["monogram"]["name"], "Ada Lovelace");
    let named = dir.path().join("named.png");
    monogram(Some("Ada Lovelace"), &named, None);
    assert_eq!(std::fs::read(&out).ok(), std::fs::read(&named).ok());
    // With no tenant to ask, it says what to do.
    let output = monogram(None, &out, None);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn upload_monogram_makes_a_valid_put() {
    let tenant = FakeTenant::start();
    let output = xc_avatar(&["upload", "--monogram", "--json"], Some(&tenant.url()));
    let json = json_of(&output);
    assert_eq!(output.status.code(), Some(0), "{json}");
    assert_eq!(json["monogram"]["initials"], "AL");
    let puts = tenant.received_on("PUT", IMAGE_PATH);
    assert_eq!(puts.len(), 1);
    let body = puts[0].json().expect("JSON body");
    assert_eq!(body["content_type"], "image/jpeg");
    let sent = base64::engine::general_purpose::STANDARD
        .decode(body["image"].as_str().expect("a string"))
        .expect("base64");
    let (corner, contrast) = corner_and_contrast(&sent);
    assert!(contrast >= 4.5, "{corner:?}");
    tenant.assert_no_violations();

    // --name, and PNG when asked.
    let output = xc_avatar(
        &[
            "upload",
            "--monogram",
            "--name",
            "Анна Каренина",
            "--format",
            "png",
        ],
        Some(&tenant.url()),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let line = String::from_utf8_lossy(&output.stdout);
    assert!(line.contains("initials АК"), "{line}");
    let stored = tenant.image_of(DEFAULT_TOKEN).expect("uploaded");
    assert_eq!(stored.content_type, "image/png");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("anna.png");
    monogram(Some("Анна Каренина"), &file, None);
    assert_eq!(stored.bytes, std::fs::read(&file).expect("written"));
}

#[test]
fn upload_takes_a_file_or_monogram_not_both() {
    let scene = scenes::small();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_scene(dir.path(), &scene);
    for args in [
        vec!["upload", file.as_str(), "--monogram"],
        vec!["upload", "--name", "Ada"],
        vec!["upload"],
    ] {
        let output = xc_avatar(&args, None);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

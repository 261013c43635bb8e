//! F5's contract, as published: the parts of F5's OpenAPI files that xc-avatar uses, vendored in
//! `tests/contract/` (see its README for where they came from and when), loaded here and turned
//! into JSON Schema for the `jsonschema` validator.
//!
//! Every request the fake receives is checked against its operation (method and path, path
//! parameters, query parameters, the `Authorization` header the security scheme names, the
//! request body's media type and schema), and every answer the fake itself sends against the
//! answers that operation declares (status, media type, schema). The hand-written checks in
//! `lib.rs` stay on top: they are stricter where F5's gateway is stricter than its spec (unknown
//! fields, standard base64, a `content_type` that matches the bytes).
//!
//! OpenAPI 3.0 schemas are nearly JSON Schema draft 4; what differs is converted at load:
//! `format: byte` is checked as base64 (OpenAPI's meaning), and F5's `x-ves-required: "true"` on
//! a property becomes that object's `required`. Other `x-…` keys and unknown formats (`boolean`)
//! are annotations.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::{HeaderMap, Method, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// The vendored files, compiled in: a test binary run from anywhere finds them.
const VENDORED: [(&str, &str); 2] = [
    (
        "user-setting.openapi.json",
        include_str!("../../../tests/contract/user-setting.openapi.json"),
    ),
    (
        "user.openapi.json",
        include_str!("../../../tests/contract/user.openapi.json"),
    ),
];

/// The schema of `google.api.HttpBody` (its name in F5's files): grpc-gateway sends that message
/// raw, its `data` as the body and its `content_type` as the `Content-Type` header.
const HTTP_BODY_SCHEMA: &str = "#/components/schemas/apiHttpBody";

/// Longest description of one problem: a schema error quotes the value, which can be a picture.
const PROBLEM_MAX_CHARS: usize = 300;

/// The operations of the vendored spec, ready to check requests and answers.
pub struct Contract {
    operations: Vec<Operation>,
}

struct Operation {
    /// `GET /api/web/custom/namespaces/{namespace}/whoami`, for messages.
    name: String,
    method: Method,
    segments: Vec<Segment>,
    query: Vec<String>,
    /// The header the security scheme names (`Authorization`), when the operation has one.
    auth_header: Option<String>,
    request: Option<Body>,
    /// Status → what the answer's body must be (`None`: the spec gives no body).
    answers: BTreeMap<u16, Option<Body>>,
}

enum Segment {
    Literal(String),
    Parameter {
        name: String,
        schema: jsonschema::Validator,
    },
}

struct Body {
    required: bool,
    /// Media type (lower case) → validator of its JSON.
    media: Vec<(String, jsonschema::Validator)>,
    /// The schema is `google.api.HttpBody`: its raw form is the same answer.
    http_body: bool,
}

impl Contract {
    /// F5's contract as vendored in `tests/contract/`, loaded once.
    pub fn f5() -> &'static Contract {
        static CONTRACT: OnceLock<Contract> = OnceLock::new();
        CONTRACT.get_or_init(|| {
            let documents: Vec<(&str, Value)> = VENDORED
                .iter()
                .map(|(name, text)| {
                    let value = serde_json::from_str(text)
                        .unwrap_or_else(|e| panic!("tests/contract/{name} is not JSON: {e}"));
                    (*name, value)
                })
                .collect();
            Contract::from_documents(&documents)
                .unwrap_or_else(|e| panic!("tests/contract/ cannot be loaded: {e}"))
        })
    }

    /// Loads OpenAPI 3.0 documents (name, JSON); an error names what could not be used.
    pub fn from_documents(documents: &[(&str, Value)]) -> Result<Contract, String> {
        let mut operations = Vec::new();
        for (name, document) in documents {
            let loaded = load_document(document).map_err(|e| format!("{name}: {e}"))?;
            operations.extend(loaded);
        }
        if operations.is_empty() {
            return Err("no operations".into());
        }
        Ok(Contract { operations })
    }

    /// `(method, path)` of every operation, e.g. `("GET", "/api/web/…/whoami")` with the path as
    /// the spec writes it.
    pub fn operations(&self) -> Vec<(String, String)> {
        self.operations
            .iter()
            .map(|op| {
                let (method, path) = op.name.split_once(' ').unwrap_or_default();
                (method.to_owned(), path.to_owned())
            })
            .collect()
    }

    /// What F5's spec refuses in a request. `body` is `None` when it was not read (a connection
    /// reset after the head); `certificate` when the connection's client certificate already
    /// authenticated it (mutual TLS, which the spec's security scheme does not describe).
    pub fn check_request(
        &self,
        method: &Method,
        uri: &axum::http::Uri,
        headers: &HeaderMap,
        body: Option<&[u8]>,
        certificate: bool,
    ) -> Vec<String> {
        let path = uri.path();
        let operation = match self.find(method, path) {
            Found::Operation(operation) => operation,
            Found::OtherMethods(methods) => {
                return vec![spec(format!(
                    "{path} has no {method} operation (only {})",
                    methods.join(", ")
                ))];
            }
            Found::Nothing => return vec![spec(format!("{path} is no operation of it"))],
        };
        let mut problems = operation.check_path(path);
        if let Some(query) = uri.query() {
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let name = pair.split('=').next().unwrap_or_default();
                if !operation.query.iter().any(|q| q == name) {
                    problems.push(spec(format!(
                        "{} declares no query parameter {name:?}",
                        operation.name
                    )));
                }
            }
        }
        if let Some(name) = &operation.auth_header
            && !certificate
            && !headers.contains_key(name.as_str())
        {
            problems.push(spec(format!(
                "{} needs the {name} header (security scheme apiKeyAuth)",
                operation.name
            )));
        }
        let Some(body) = body else {
            return problems;
        };
        match &operation.request {
            None if !body.is_empty() => problems.push(spec(format!(
                "{} takes no request body, got {} bytes",
                operation.name,
                body.len()
            ))),
            None => {}
            Some(expected) => {
                let media = media_type(headers);
                if let Some(problem) =
                    expected.check(&operation.name, "request body", &media, body, false)
                {
                    problems.push(spec(problem));
                }
            }
        }
        problems
    }

    /// What departs from F5's spec in an answer to a well-formed request.
    pub fn check_answer(
        &self,
        method: &Method,
        path: &str,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Vec<String> {
        let Found::Operation(operation) = self.find(method, path) else {
            return vec![spec(format!("{method} {path} is no operation of it"))];
        };
        let Some(declared) = operation.answers.get(&status) else {
            let known: Vec<String> = operation.answers.keys().map(u16::to_string).collect();
            return vec![spec(format!(
                "{} declares no {status} answer (only {})",
                operation.name,
                known.join(", ")
            ))];
        };
        let Some(expected) = declared else {
            return Vec::new();
        };
        let media = media_type(headers);
        let what = format!("{status} answer");
        expected
            .check(&operation.name, &what, &media, body, true)
            .map(spec)
            .into_iter()
            .collect()
    }

    fn find(&self, method: &Method, path: &str) -> Found<'_> {
        let on_path: Vec<&Operation> = self
            .operations
            .iter()
            .filter(|op| op.matches(path))
            .collect();
        match on_path.iter().find(|op| op.method == *method) {
            Some(operation) => Found::Operation(operation),
            None if on_path.is_empty() => Found::Nothing,
            None => Found::OtherMethods(on_path.iter().map(|op| op.method.to_string()).collect()),
        }
    }
}

enum Found<'a> {
    Operation(&'a Operation),
    OtherMethods(Vec<String>),
    Nothing,
}

fn spec(problem: String) -> String {
    let mut problem = format!("F5's spec: {problem}");
    if let Some((cut, _)) = problem.char_indices().nth(PROBLEM_MAX_CHARS) {
        problem.truncate(cut);
        problem.push('…');
    }
    problem
}

fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

impl Operation {
    fn matches(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        parts.len() == self.segments.len()
            && self
                .segments
                .iter()
                .zip(parts)
                .all(|(segment, part)| match segment {
                    Segment::Literal(literal) => literal == part,
                    Segment::Parameter { .. } => !part.is_empty(),
                })
    }

    fn check_path(&self, path: &str) -> Vec<String> {
        self.segments
            .iter()
            .zip(path.split('/'))
            .filter_map(|(segment, part)| match segment {
                Segment::Parameter { name, schema } => schema
                    .validate(&Value::String(part.to_owned()))
                    .err()
                    .map(|e| spec(format!("path parameter {name} = {part:?}: {e}"))),
                Segment::Literal(_) => None,
            })
            .collect()
    }
}

impl Body {
    /// The problem with `body` sent as `media`, if any. An answer may carry an `HttpBody` raw.
    fn check(
        &self,
        operation: &str,
        what: &str,
        media: &str,
        body: &[u8],
        answer: bool,
    ) -> Option<String> {
        if body.is_empty() {
            return self
                .required
                .then(|| format!("{operation}: the {what} is required and missing"));
        }
        let Some((_, validator)) = self.media.iter().find(|(m, _)| m == media) else {
            if answer && self.http_body && !media.is_empty() {
                // google.api.HttpBody on the wire: check it as the message it stands for.
                let message = json!({ "content_type": media, "data": STANDARD.encode(body) });
                let (_, validator) = self.media.first()?;
                return validator
                    .validate(&message)
                    .err()
                    .map(|e| format!("{operation}: the raw {what} as HttpBody: {e}"));
            }
            let declared: Vec<&str> = self.media.iter().map(|(m, _)| m.as_str()).collect();
            return Some(format!(
                "{operation}: the {what} is {media:?}, the spec declares {}",
                declared.join(", ")
            ));
        };
        let value: Value = match serde_json::from_slice(body) {
            Ok(value) => value,
            Err(e) => return Some(format!("{operation}: the {what} is not JSON: {e}")),
        };
        let problems: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| match e.instance_path().as_str() {
                "" => e.to_string(),
                at => format!("{at}: {e}"),
            })
            .collect();
        (!problems.is_empty()).then(|| format!("{operation}: the {what}: {}", problems.join("; ")))
    }
}

/// The operations of one OpenAPI document.
fn load_document(document: &Value) -> Result<Vec<Operation>, String> {
    let version = document["openapi"].as_str().unwrap_or_default();
    if !version.starts_with("3.0") {
        return Err(format!("OpenAPI {version:?}: only 3.0 is understood"));
    }
    let mut components = document["components"].clone();
    if let Some(schemas) = components.get_mut("schemas") {
        convert_schema(schemas, true);
    }
    let auth_header = auth_header(document);
    let paths = document["paths"].as_object().ok_or("no paths")?;
    let mut operations = Vec::new();
    for (path, item) in paths {
        let item = item
            .as_object()
            .ok_or_else(|| format!("{path}: not an object"))?;
        for (method, operation) in item {
            // Beside the operations a path item holds `x-…` annotations and `parameters`.
            const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Ok(method) = method.to_ascii_uppercase().parse::<Method>() else {
                continue;
            };
            let name = format!("{method} {path}");
            let loaded = load_operation(&name, method, path, operation, &components, &auth_header)
                .map_err(|e| format!("{name}: {e}"))?;
            operations.push(loaded);
        }
    }
    Ok(operations)
}

/// `Authorization` for F5's `apiKeyAuth` (an API key in a header), if the document requires it.
fn auth_header(document: &Value) -> Option<String> {
    let schemes = document["components"]["securitySchemes"].as_object()?;
    document["security"]
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.keys())
        .filter_map(|name| schemes.get(name))
        .find(|scheme| scheme["type"] == "apiKey" && scheme["in"] == "header")
        .and_then(|scheme| scheme["name"].as_str())
        .map(str::to_owned)
}

fn load_operation(
    name: &str,
    method: Method,
    path: &str,
    operation: &Value,
    components: &Value,
    auth_header: &Option<String>,
) -> Result<Operation, String> {
    let parameters = operation["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let parameter = |location: &'static str| -> Vec<(String, Value)> {
        parameters
            .iter()
            .filter(|p| p["in"] == location)
            .filter_map(|p| Some((p["name"].as_str()?.to_owned(), p["schema"].clone())))
            .collect()
    };
    let path_parameters = parameter("path");
    let mut segments = Vec::new();
    for part in path.split('/') {
        let segment = match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(param) => {
                let schema = path_parameters
                    .iter()
                    .find(|(n, _)| n == param)
                    .map(|(_, schema)| schema.clone())
                    .ok_or_else(|| format!("path parameter {param} is not declared"))?;
                Segment::Parameter {
                    name: param.to_owned(),
                    schema: validator(&schema, components)?,
                }
            }
            None => Segment::Literal(part.to_owned()),
        };
        segments.push(segment);
    }
    let request = match operation.get("requestBody") {
        None => None,
        Some(body) => Some(load_body(resolve(body, components)?, components)?),
    };
    let mut answers = BTreeMap::new();
    let responses = operation["responses"].as_object().ok_or("no responses")?;
    for (status, response) in responses {
        let Ok(status) = status.parse::<u16>() else {
            return Err(format!(
                "answer {status:?}: only numeric statuses are understood"
            ));
        };
        let response = resolve(response, components)?;
        let body = match response.get("content") {
            None => None,
            Some(_) => Some(load_body(response, components)?),
        };
        answers.insert(status, body);
    }
    let security = operation.get("security").unwrap_or(&Value::Null);
    let auth_header = match security.as_array() {
        Some(requirements) if requirements.is_empty() => None,
        _ => auth_header.clone(),
    };
    Ok(Operation {
        name: name.to_owned(),
        method,
        segments,
        query: parameter("query")
            .into_iter()
            .map(|(name, _)| name)
            .collect(),
        auth_header,
        request,
        answers,
    })
}

/// A request body or a response: `content` by media type, and whether it is required.
fn load_body(body: &Value, components: &Value) -> Result<Body, String> {
    let content = body["content"]
        .as_object()
        .ok_or("content is not an object")?;
    let mut media = Vec::new();
    let mut http_body = false;
    for (media_type, entry) in content {
        let schema = entry.get("schema").cloned().unwrap_or(json!({}));
        http_body |= schema["$ref"] == HTTP_BODY_SCHEMA;
        media.push((
            media_type.to_ascii_lowercase(),
            validator(&schema, components)?,
        ));
    }
    Ok(Body {
        // Answers have no `required`; a request body is optional unless it says so.
        required: body["required"].as_bool().unwrap_or(false),
        media,
        http_body,
    })
}

/// `value`, or what its `$ref` into `#/components/…` names.
fn resolve<'a>(value: &'a Value, components: &'a Value) -> Result<&'a Value, String> {
    let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
        return Ok(value);
    };
    let pointer = reference
        .strip_prefix("#/components")
        .ok_or_else(|| format!("$ref {reference} is outside #/components"))?;
    components
        .pointer(pointer)
        .ok_or_else(|| format!("$ref {reference} names nothing"))
}

/// A draft 4 validator of `schema`, whose `$ref`s resolve in the document's (converted)
/// `components`.
fn validator(schema: &Value, components: &Value) -> Result<jsonschema::Validator, String> {
    let mut schema = schema.clone();
    convert_schema(&mut schema, false);
    // Draft 4 ignores a `$ref`'s siblings, so the schema goes under allOf, and the components
    // sit beside it where `#/components/…` finds them.
    let root = json!({ "allOf": [schema], "components": components });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .with_format("byte", is_base64)
        .build(&root)
        .map_err(|e| format!("schema does not compile: {e}"))
}

/// OpenAPI's `format: byte`: base64 (RFC 4648), with its padding.
fn is_base64(text: &str) -> bool {
    STANDARD.decode(text).is_ok()
}

/// OpenAPI 3.0 → JSON Schema where they differ for F5's files: a property marked
/// `x-ves-required: "true"` is required. `map` is true for `components/schemas` itself (a map
/// of names to schemas, not a schema).
fn convert_schema(value: &mut Value, map: bool) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    if map {
        for schema in object.values_mut() {
            convert_schema(schema, false);
        }
        return;
    }
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        let required: Vec<Value> = properties
            .iter()
            .filter(|(_, p)| p["x-ves-required"] == "true" || p["x-ves-required"] == true)
            .map(|(name, _)| Value::String(name.clone()))
            .collect();
        for property in properties.values_mut() {
            convert_schema(property, false);
        }
        if !required.is_empty() {
            object.insert("required".into(), Value::Array(required));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = object.get_mut(key) {
            convert_schema(inner, false);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = object.get_mut(key) {
            list.iter_mut().for_each(|s| convert_schema(s, false));
        }
    }
    // `nullable: true` (OpenAPI 3.0) is `null` allowed beside the type.
    if object.remove("nullable") == Some(Value::Bool(true))
        && let Some(Value::String(kind)) = object.get("type").cloned()
    {
        object.insert("type".into(), json!([kind, "null"]));
    }
}

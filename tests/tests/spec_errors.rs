//! The generator rejects a bad spec with an error that names the file and the item.

use std::path::PathBuf;

use xtask::spec::{ErrorsFile, FamilyFile, Spec};

fn family(text: &str) -> (PathBuf, FamilyFile) {
    (PathBuf::from("api-spec/test.toml"), toml::from_str(text).expect("fixture TOML parses"))
}

fn errors(text: &str) -> Option<(PathBuf, ErrorsFile)> {
    Some((PathBuf::from("api-spec/errors.toml"), toml::from_str(text).expect("fixture TOML parses")))
}

fn error_of(files: Vec<(PathBuf, FamilyFile)>) -> String {
    match Spec::new(files, None) {
        Ok(_) => panic!("the spec was accepted"),
        Err(e) => e.to_string(),
    }
}

const OK_STRUCT: &str = r#"
family = "test"
doc = "t"
[[struct]]
name = "Thing"
doc = "d"
[[struct.field]]
name = "a"
type = "string"
doc = "d"
"#;

#[test]
fn a_good_spec_is_accepted() {
    Spec::new(vec![family(OK_STRUCT)], None).expect("valid");
}

#[test]
fn unknown_type() {
    let msg = error_of(vec![family(&OK_STRUCT.replace("type = \"string\"", "type = \"u33\""))]);
    assert_eq!(msg, "api-spec/test.toml: struct `Thing`: field `a`: unknown type `u33`");
}

#[test]
fn dangling_reference() {
    let msg = error_of(vec![family(&OK_STRUCT.replace("type = \"string\"", "type = \"list<Missing>\""))]);
    assert_eq!(msg, "api-spec/test.toml: struct `Thing`: field `a`: unknown type `Missing`");
}

#[test]
fn duplicate_name_across_files() {
    let other =
        (PathBuf::from("api-spec/other.toml"), toml::from_str(&OK_STRUCT.replace("\"test\"", "\"other\"")).unwrap());
    let msg = error_of(vec![family(OK_STRUCT), other]);
    assert!(msg.contains("duplicate type name `Thing`"), "{msg}");
    assert!(msg.starts_with("api-spec/test.toml: struct `Thing`"), "{msg}");
}

#[test]
fn bad_limits() {
    let msg = error_of(vec![family(&OK_STRUCT.replace(
        "doc = \"d\"\n[[struct.field]]\nname = \"a\"\ntype = \"string\"",
        "doc = \"d\"\n[[struct.field]]\nname = \"a\"\ntype = \"u32\"\nmin = 5\nmax = 1",
    ))]);
    assert_eq!(msg, "api-spec/test.toml: struct `Thing`: field `a`: min 5 is greater than max 1");
    let msg = error_of(vec![family(&OK_STRUCT.replace("type = \"string\"", "type = \"u32\"\nmax_bytes = 10"))]);
    assert!(msg.contains("max_bytes applies to strings only"), "{msg}");
    let msg = error_of(vec![family(&OK_STRUCT.replace("type = \"string\"", "type = \"string\"\nmax_bytes = 0"))]);
    assert!(msg.contains("max_bytes must be at least 1"), "{msg}");
}

const ENDPOINT: &str = r#"
family = "test"
doc = "t"
[[endpoint]]
name = "list_things"
method = "POST"
path = "/things"
doc = "d"
doc_url = "https://example.com"
[endpoint.page]
field = "size"
max = 100
[endpoint.window]
start = "starttime"
end = "endtime"
max_span = "31 days"
[endpoint.request]
doc = "d"
[[endpoint.request.field]]
name = "starttime"
type = "u64"
required = true
doc = "d"
[[endpoint.request.field]]
name = "endtime"
type = "u64"
required = true
doc = "d"
[[endpoint.request.field]]
name = "size"
type = "u32"
required = true
default = 100
doc = "d"
[endpoint.response]
doc = "d"
"#;

#[test]
fn endpoint_references_must_exist() {
    Spec::new(vec![family(ENDPOINT)], None).expect("valid");
    let msg = error_of(vec![family(&ENDPOINT.replace("end = \"endtime\"", "end = \"finish\""))]);
    assert_eq!(msg, "api-spec/test.toml: endpoint `list_things`: window field `finish` is not a request field");
    let msg = error_of(vec![family(&ENDPOINT.replace("field = \"size\"", "field = \"limit\""))]);
    assert_eq!(msg, "api-spec/test.toml: endpoint `list_things`: page.field `limit` is not a request field");
    let msg = error_of(vec![family(&ENDPOINT.replace("max_span = \"31 days\"", "max_span = \"31 fortnights\""))]);
    assert!(msg.contains("bad max_span `31 fortnights`"), "{msg}");
    let msg = error_of(vec![family(&ENDPOINT.replace("max = 100", "max = 0"))]);
    assert!(msg.contains("page.max must be at least 1"), "{msg}");
    let msg = error_of(vec![family(&ENDPOINT.replace("method = \"POST\"", "method = \"PUT\""))]);
    assert!(msg.contains("method `PUT` is not GET or POST"), "{msg}");
    let with_cursor = format!(
        "{ENDPOINT}\n[endpoint.cursor]\nstyle = \"token\"\nrequest = \"new_cursor\"\nresponse = \"next\"\nitems = \"ids\"\n"
    );
    let msg = error_of(vec![family(&with_cursor)]);
    assert!(msg.contains("cursor.request `new_cursor` is not a request field"), "{msg}");
}

#[test]
fn error_codes_are_checked() {
    let bad_class = r#"
doc = "e"
[[error]]
code = 1
name = "One"
zh = "一"
en = "one"
class = "sometimes"
"#;
    let msg = Spec::new(vec![family(OK_STRUCT)], errors(bad_class)).unwrap_err().to_string();
    assert!(msg.starts_with("api-spec/errors.toml: error 1: unknown class `sometimes`"), "{msg}");

    let endpoint_with_unlisted_code = format!("{ENDPOINT}\n[[endpoint.error]]\ncode = 2\nzh = \"二\"\nen = \"two\"\n");
    let good = bad_class.replace("sometimes", "retry");
    let msg = Spec::new(vec![family(&endpoint_with_unlisted_code)], errors(&good)).unwrap_err().to_string();
    assert_eq!(msg, "api-spec/test.toml: endpoint `list_things`: error 2 is not in errors.toml");
}

#[test]
fn enum_values_must_match_repr_and_be_unique() {
    let e = r#"
family = "test"
doc = "t"
[[enum]]
name = "Kind"
repr = "int"
doc = "d"
[[enum.variant]]
name = "A"
value = 1
doc = "a"
[[enum.variant]]
name = "B"
value = 1
doc = "b"
"#;
    let msg = error_of(vec![family(e)]);
    assert_eq!(msg, "api-spec/test.toml: enum `Kind`: variant `B`: duplicate value 1");
    let msg = error_of(vec![family(&e.replace("value = 1\ndoc = \"b\"", "value = \"x\"\ndoc = \"b\""))]);
    assert!(msg.contains("does not match repr `int`"), "{msg}");
}

#[test]
fn load_reports_toml_syntax_errors_with_the_file() {
    let dir = std::env::temp_dir().join(format!("wecom-spec-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("spec")).unwrap();
    std::fs::write(dir.join("spec/broken.toml"), "family = \n").unwrap();
    let err = Spec::load(&dir, std::path::Path::new("spec")).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).ok();
    assert!(err.starts_with("spec/broken.toml:"), "{err}");
}

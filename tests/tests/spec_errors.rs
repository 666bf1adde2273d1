//! The checker rejects a bad spec with an error naming the file, the item and the field.
//!
//! One table: each row edits a small valid spec (which uses every section of the format) and
//! states the whole message. Two guards keep the table complete: every variant of
//! `xtask::check::Problem` must be produced by some row, and each variant must be constructed
//! at exactly one place in `xtask/src/check/`, so covering the variants covers the branches.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use xtask::check::{self, SpecError};
use xtask::model::{CursorStyle, Multiplicity, PageItem, XmlTy};
use xtask::spec::SpecFiles;
use xtask::workspace_root;

/// A valid family file: an offset-paged, windowed endpoint with a unique-key rule, structs,
/// both enum reprs and a union. [`EVENTS`] is a second family, always present.
const FAMILY: &str = r#"
family = "test"
doc = "t"

[[endpoint]]
name = "list_things"
method = "POST"
path = "/things"
doc = "d"
doc_url = "https://example.com"
rate_limit_per_minute = 600

[endpoint.page]
field = "size"
max = 100

[endpoint.window]
start = "starttime"
end = "endtime"
max_span = "31 days"

[endpoint.cursor]
style = "offset"
request = "cursor"
response = "next_cursor"
end_flag = "endflag"
items = "things"
item_key = "id"

[[endpoint.error]]
code = 301055
zh = "无权限"
en = "no permission"

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
name = "cursor"
type = "u32"
required = true
default = 0
doc = "d"

[[endpoint.request.field]]
name = "size"
type = "u32"
required = true
default = 100
min = 1
doc = "d"

[[endpoint.request.field]]
name = "filters"
type = "list<Filter>"
unique_key = "key"
repeatable = ["red"]
doc = "d"

[endpoint.response]
doc = "d"

[[endpoint.response.field]]
name = "things"
type = "list<Thing>"
doc = "d"

[[endpoint.response.field]]
name = "next_cursor"
type = "u32"
required = true
doc = "d"

[[endpoint.response.field]]
name = "endflag"
type = "u32"
required = true
doc = "d"

[[struct]]
name = "Thing"
doc = "d"

[[struct.field]]
name = "id"
type = "string"
required = true
max_bytes = 16
doc = "d"

[[struct.field]]
name = "level"
type = "Level"
doc = "d"

[[struct.field]]
name = "widgets"
type = "list<Widget>"
doc = "d"

[[struct]]
name = "Filter"
doc = "d"

[[struct.field]]
name = "key"
type = "Color"
required = true
doc = "d"

[[struct]]
name = "Dial"
doc = "d"

[[struct.field]]
name = "reading"
type = "number_string"
doc = "d"

[[enum]]
name = "Level"
repr = "int"
doc = "d"

[[enum.variant]]
name = "Low"
value = 1
doc = "d"

[[enum.variant]]
name = "High"
value = 2
doc = "d"

[[enum]]
name = "Color"
repr = "string"
doc = "d"

[[enum.variant]]
name = "Red"
value = "red"
doc = "d"

[[union]]
name = "Widget"
tag = "kind"
content = "data"
doc = "d"

[[union.field]]
name = "wid"
type = "string"
required = true
doc = "d"

[[union.variant]]
tag = "Dial"
type = "Dial"
doc = "d"
"#;

/// A valid `errors.toml`.
const ERRORS: &str = r#"
doc = "e"

[[error]]
code = 301055
name = "NoPermission"
zh = "无权限"
en = "no permission"
class = "permission"
"#;

/// A valid events family (`api-spec/evt.toml`): a header, an event, elements with a wrapped,
/// a repeated and an optional child, and an enum of the family above.
const EVENTS: &str = r#"
family = "evt"
doc = "e"

[header]
doc = "h"

[[header.child]]
name = "Event"
type = "string"
doc = "d"

[[header.child]]
name = "CreateTime"
type = "i64"
doc = "d"

[[event]]
name = "thing_changed"
doc = "d"

[[event.child]]
name = "Info"
type = "Info"
doc = "d"

[[element]]
name = "Info"
doc = "d"

[[element.child]]
name = "Status"
type = "Level"
doc = "d"

[[element.child]]
name = "Nodes"
type = "Node"
multiplicity = "wrapped"
item = "Node"
doc = "d"

[[element.child]]
name = "Tags"
type = "string"
multiplicity = "repeated"
doc = "d"

[[element]]
name = "Node"
doc = "d"

[[element.child]]
name = "At"
type = "u64"
multiplicity = "optional"
doc = "d"
"#;

/// Which file an edit changes.
#[derive(Clone, Copy)]
enum File {
    /// `api-spec/test.toml` (starts as [`FAMILY`]).
    Family,
    /// `api-spec/errors.toml` (starts as [`ERRORS`]).
    Errors,
    /// A second family file, `api-spec/other.toml`, whose whole text is `to`.
    Other,
    /// `api-spec/evt.toml` (starts as [`EVENTS`]).
    Events,
}

/// Replace `from` (which must occur exactly once) with `to`.
struct Edit {
    file: File,
    from: &'static str,
    to: &'static str,
}

const fn fam(from: &'static str, to: &'static str) -> Edit {
    Edit { file: File::Family, from, to }
}

const fn evt(from: &'static str, to: &'static str) -> Edit {
    Edit { file: File::Events, from, to }
}

struct Case {
    edits: &'static [Edit],
    expected: &'static str,
}

const CASES: &[Case] = &[
    // Names.
    Case {
        edits: &[fam(r#"family = "test""#, r#"family = "Test""#)],
        expected: "api-spec/test.toml: family: `Test` is not a snake_case module name",
    },
    Case {
        edits: &[fam(r#"family = "test""#, r#"family = "type""#)],
        expected: "api-spec/test.toml: family: `type` is not a snake_case module name",
    },
    Case {
        edits: &[fam(r#"family = "test""#, r#"family = "errors""#)],
        expected: "api-spec/test.toml: family: family name `errors` is taken by the generated error-code module",
    },
    Case {
        edits: &[Edit { file: File::Other, from: "", to: "family = \"test\"\ndoc = \"o\"\n" }],
        expected: "api-spec/other.toml: family: family `test` is defined twice",
    },
    Case {
        edits: &[fam(r#"name = "Thing""#, r#"name = "thing""#)],
        expected: "api-spec/test.toml: struct `thing`: `thing` is not an UpperCamelCase type name",
    },
    Case {
        edits: &[fam(r#"name = "Thing""#, r#"name = "Self""#)],
        expected: "api-spec/test.toml: struct `Self`: `Self` is not an UpperCamelCase type name",
    },
    Case {
        edits: &[Edit {
            file: File::Other,
            from: "",
            to: "family = \"other\"\ndoc = \"o\"\n[[struct]]\nname = \"Thing\"\ndoc = \"o\"\n",
        }],
        expected: "api-spec/test.toml: struct `Thing`: duplicate type name `Thing` (also defined in family `other`)",
    },
    Case {
        edits: &[fam(r#"name = "list_things""#, r#"name = "ListThings""#)],
        expected: "api-spec/test.toml: endpoint `ListThings`: the name must be snake_case",
    },
    Case {
        edits: &[fam(r#"repr = "int""#, r#"repr = "float""#)],
        expected: "api-spec/test.toml: enum `Level`: repr `float` is not `int` or `string`",
    },
    // Fields.
    Case {
        edits: &[fam(r#"name = "level""#, r#"name = "id""#)],
        expected: "api-spec/test.toml: struct `Thing`: field `id`: duplicate field",
    },
    Case {
        edits: &[fam(r#"name = "level""#, "name = \"level\"\nrust_name = \"self\"")],
        expected: "api-spec/test.toml: struct `Thing`: field `level`: `self` is not usable as a Rust field name",
    },
    Case {
        edits: &[fam(r#"name = "level""#, "name = \"level\"\nrust_name = \"id\"")],
        expected: "api-spec/test.toml: struct `Thing`: field `level`: duplicate Rust name `id`",
    },
    Case {
        edits: &[fam(r#"type = "Level""#, r#"type = "u33""#)],
        expected: "api-spec/test.toml: struct `Thing`: field `level`: `u33` is not a type (expected u32, u64, i32, \
                   i64, bool, string, number_string, int_string, int_or_string, number, secret, json_string, json, \
                   list<T> or a \
                   type name)",
    },
    Case {
        edits: &[fam(r#"type = "Level""#, r#"type = "Missing""#)],
        expected: "api-spec/test.toml: struct `Thing`: field `level`: unknown type `Missing`",
    },
    Case {
        edits: &[fam(r#"type = "list<Widget>""#, r#"type = "list<Missing>""#)],
        expected: "api-spec/test.toml: struct `Thing`: field `widgets`: unknown type `Missing`",
    },
    Case {
        edits: &[fam(r#"type = "list<Widget>""#, r#"type = "list<list<Widget>>""#)],
        expected: "api-spec/test.toml: struct `Thing`: field `widgets`: lists of lists are not supported",
    },
    Case {
        edits: &[fam(r#"type = "list<Widget>""#, r#"type = "list<int_string>""#)],
        expected: "api-spec/test.toml: struct `Thing`: field `widgets`: lists of int_string are not supported",
    },
    Case {
        edits: &[fam(r#"type = "list<Widget>""#, r#"type = "list<int_or_string>""#)],
        expected: "api-spec/test.toml: struct `Thing`: field `widgets`: lists of int_or_string are not supported",
    },
    Case {
        edits: &[fam(r#"type = "Level""#, "type = \"Level\"\nmax_bytes = 4")],
        expected: "api-spec/test.toml: struct `Thing`: field `level`: max_bytes applies to strings only",
    },
    Case {
        edits: &[fam("max_bytes = 16", "max_bytes = 0")],
        expected: "api-spec/test.toml: struct `Thing`: field `id`: max_bytes must be at least 1",
    },
    Case {
        edits: &[fam("max_bytes = 16", "max_bytes = 16\nmin = 1")],
        expected: "api-spec/test.toml: struct `Thing`: field `id`: min/max apply to integers only",
    },
    Case {
        edits: &[fam("min = 1", "min = 5\nmax = 1")],
        expected: "api-spec/test.toml: endpoint `list_things` request: field `size`: min 5 is greater than max 1",
    },
    Case {
        edits: &[fam(r#"type = "list<Filter>""#, r#"type = "list<Color>""#)],
        expected: "api-spec/test.toml: endpoint `list_things` request: field `filters`: unique_key applies to lists \
                   of structs",
    },
    Case {
        edits: &[fam(r#"unique_key = "key""#, r#"unique_key = "value""#)],
        expected: "api-spec/test.toml: endpoint `list_things` request: field `filters`: unique_key `value` is not a \
                   field of `Filter`",
    },
    Case {
        edits: &[fam(r#"type = "Color""#, r#"type = "u32""#)],
        expected: "api-spec/test.toml: endpoint `list_things` request: field `filters`: unique_key `key` must be a \
                   required string or string enum field of `Filter`",
    },
    Case {
        edits: &[fam("unique_key = \"key\"\n", "")],
        expected: "api-spec/test.toml: endpoint `list_things` request: field `filters`: repeatable needs unique_key",
    },
    Case {
        edits: &[fam("default = 0", r#"default = "zero""#)],
        expected: "api-spec/test.toml: endpoint `list_things` request: field `cursor`: default \"zero\" does not fit \
                   type `u32`",
    },
    Case {
        edits: &[fam("name = \"cursor\"\ntype = \"u32\"\nrequired = true\n", "name = \"cursor\"\ntype = \"u32\"\n")],
        expected: "api-spec/test.toml: endpoint `list_things` request: field `cursor`: a default only makes sense on \
                   a required field",
    },
    Case {
        edits: &[fam("min = 1", "min = 1\nmax = 50")],
        expected: "api-spec/test.toml: endpoint `list_things` request: field `size`: default 100 is outside min/max",
    },
    // Enums.
    Case {
        edits: &[fam("[[enum.variant]]\nname = \"Red\"\nvalue = \"red\"\ndoc = \"d\"\n", "variant = []\n")],
        expected: "api-spec/test.toml: enum `Color`: an enum needs at least one variant",
    },
    Case {
        edits: &[fam(r#"name = "High""#, r#"name = "Unknown""#)],
        expected: "api-spec/test.toml: enum `Level`: `Unknown` is not a usable UpperCamelCase variant name \
                   (`Unknown` is reserved)",
    },
    Case {
        edits: &[fam(r#"name = "High""#, r#"name = "Low""#)],
        expected: "api-spec/test.toml: enum `Level`: duplicate variant `Low`",
    },
    Case {
        edits: &[fam("value = 2", r#"value = "two""#)],
        expected: "api-spec/test.toml: enum `Level`: variant `High`: value \"two\" does not match repr `int`",
    },
    Case {
        edits: &[fam("value = 2", "value = 1")],
        expected: "api-spec/test.toml: enum `Level`: variant `High`: duplicate value 1",
    },
    // Unions.
    Case {
        edits: &[fam(
            "tag = \"Dial\"\ntype = \"Dial\"\ndoc = \"d\"\n",
            "tag = \"Dial\"\ntype = \"Dial\"\ndoc = \"d\"\n\n[[union.variant]]\ntag = \"Dial\"\nname = \"Other\"\ntype = \"Dial\"\ndoc = \"d\"\n",
        )],
        expected: "api-spec/test.toml: union `Widget`: duplicate tag `Dial`",
    },
    Case {
        edits: &[fam(r#"type = "Dial""#, r#"type = "Gauge""#)],
        expected: "api-spec/test.toml: union `Widget`: variant `Dial`: unknown type `Gauge`",
    },
    Case {
        edits: &[fam(r#"type = "Dial""#, r#"type = "Level""#)],
        expected: "api-spec/test.toml: union `Widget`: variant `Dial`: payload `Level` is not a struct",
    },
    Case {
        edits: &[fam("name = \"wid\"\ntype = \"string\"", "name = \"wid\"\ntype = \"int_string\"")],
        expected: "api-spec/test.toml: union `Widget`: field `wid`: int_string is not supported in unions",
    },
    Case {
        edits: &[fam(r#"name = "wid""#, r#"name = "kind""#)],
        expected: "api-spec/test.toml: union `Widget`: field `kind`: clashes with the tag or content key",
    },
    Case {
        edits: &[fam(r#"content = "data""#, r#"content = "self""#)],
        expected: "api-spec/test.toml: union `Widget`: content key `self` is not usable as a Rust field name",
    },
    Case {
        edits: &[fam(r#"name = "wid""#, "name = \"wid\"\nrust_name = \"data\"")],
        expected: "api-spec/test.toml: union `Widget`: content key `data` has the Rust name of another field",
    },
    Case {
        edits: &[fam(r#"content = "data""#, "content = \"data\"\npadding = [\"tips\", \"files\", \"tips\"]")],
        expected: "api-spec/test.toml: union `Widget`: padding key `tips` is listed twice",
    },
    Case {
        // The payload `Dial` has one field; 32 padding keys make 33 marks.
        edits: &[fam(
            r#"content = "data""#,
            concat!(
                "content = \"data\"\npadding = [",
                "\"p0\", \"p1\", \"p2\", \"p3\", \"p4\", \"p5\", \"p6\", \"p7\", ",
                "\"p8\", \"p9\", \"p10\", \"p11\", \"p12\", \"p13\", \"p14\", \"p15\", ",
                "\"p16\", \"p17\", \"p18\", \"p19\", \"p20\", \"p21\", \"p22\", \"p23\", ",
                "\"p24\", \"p25\", \"p26\", \"p27\", \"p28\", \"p29\", \"p30\", \"p31\"",
                "]"
            ),
        )],
        expected: "api-spec/test.toml: struct `Dial`: 33 fields and padding keys; at most 32 are supported",
    },
    // Endpoints.
    Case {
        edits: &[fam(r#"method = "POST""#, r#"method = "PUT""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: method `PUT` is not GET or POST",
    },
    Case {
        edits: &[fam(r#"path = "/things""#, r#"path = "things""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: path `things` must start with /",
    },
    Case {
        edits: &[fam("rate_limit_per_minute = 600", "rate_limit_per_minute = 0")],
        expected: "api-spec/test.toml: endpoint `list_things`: rate_limit_per_minute must be at least 1",
    },
    Case {
        edits: &[fam(
            "[endpoint.response]\ndoc = \"d\"\n",
            "[endpoint.response]\ndoc = \"d\"\n\n[[endpoint.response.field]]\nname = \"errcode\"\ntype = \"i64\"\nrequired = true\ndoc = \"d\"\n",
        )],
        expected: "api-spec/test.toml: endpoint `list_things`: errcode/errmsg are added to every response; do not \
                   declare them",
    },
    Case {
        edits: &[fam("max = 100", "max = 0")],
        expected: "api-spec/test.toml: endpoint `list_things`: page.max must be at least 1",
    },
    Case {
        edits: &[fam(r#"field = "size""#, r#"field = "limit""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: page.field `limit` is not a request field",
    },
    Case {
        edits: &[fam("name = \"size\"\ntype = \"u32\"", "name = \"size\"\ntype = \"u64\"")],
        expected: "api-spec/test.toml: endpoint `list_things`: page.field `size` must be a required u32",
    },
    Case {
        edits: &[fam(r#"end = "endtime""#, r#"end = "finish""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: window field `finish` is not a request field",
    },
    Case {
        edits: &[fam(r#"max_span = "31 days""#, r#"max_span = "31""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: bad max_span `31`: expected e.g. \"31 days\" or \"1 \
                   month\"",
    },
    Case {
        edits: &[fam(r#"max_span = "31 days""#, r#"max_span = "many days""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: bad max_span `many days`: `many` is not a count",
    },
    Case {
        edits: &[fam(r#"max_span = "31 days""#, r#"max_span = "0 days""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: bad max_span `0 days`: the count must be at least 1",
    },
    Case {
        edits: &[fam(r#"max_span = "31 days""#, r#"max_span = "31 fortnights""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: bad max_span `31 fortnights`: unit `fortnights` is \
                   not days, months or years",
    },
    Case {
        edits: &[fam("name = \"starttime\"\ntype = \"u64\"", "name = \"starttime\"\ntype = \"i64\"")],
        expected: "api-spec/test.toml: endpoint `list_things`: window field `starttime` must be a required unsigned \
                   integer",
    },
    Case {
        edits: &[fam(r#"style = "offset""#, r#"style = "page""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor style `page` is not offset, token or spnum",
    },
    Case {
        edits: &[fam("[endpoint.page]\nfield = \"size\"\nmax = 100\n", "")],
        expected: "api-spec/test.toml: endpoint `list_things`: a cursor needs a [endpoint.page] section",
    },
    Case {
        edits: &[fam(r#"request = "cursor""#, r#"request = "new_cursor""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor.request `new_cursor` is not a request field",
    },
    Case {
        edits: &[fam(r#"response = "next_cursor""#, r#"response = "next""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor.response `next` is not a response field",
    },
    Case {
        edits: &[fam(r#"items = "things""#, r#"items = "next_cursor""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor.items `next_cursor` must be a list",
    },
    Case {
        edits: &[fam(r#"type = "list<Thing>""#, r#"type = "list<Level>""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor.items element `Level` is not a struct",
    },
    Case {
        edits: &[fam("item_key = \"id\"\n", "")],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor.item_key is required for struct items and not \
                   allowed for string items",
    },
    Case {
        edits: &[fam(r#"item_key = "id""#, r#"item_key = "uid""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor.item_key `uid` is not a field of `Thing`",
    },
    Case {
        edits: &[fam(r#"item_key = "id""#, r#"item_key = "widgets""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor.item_key `widgets` must be a required string, \
                   integer or enum field of `Thing`",
    },
    Case {
        edits: &[fam("end_flag = \"endflag\"\n", "")],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor style `offset` needs cursor.end_flag",
    },
    Case {
        edits: &[fam(r#"end_flag = "endflag""#, r#"end_flag = "flag""#)],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor.end_flag `flag` is not a response field",
    },
    Case {
        edits: &[fam(r#"end_flag = "endflag""#, "end_flag = \"endflag\"\ncount = \"endflag\"")],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor.count is not used by style `offset`",
    },
    Case {
        edits: &[fam("name = \"next_cursor\"\ntype = \"u32\"", "name = \"next_cursor\"\ntype = \"u64\"")],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor style `offset` needs a required integer request \
                   cursor with a default, a required integer response cursor of the same type and a required \
                   integer end_flag",
    },
    Case {
        edits: &[fam("style = \"offset\"", "style = \"token\""), fam("end_flag = \"endflag\"\n", "")],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor style `token` needs a required string request \
                   cursor with a default and an optional string response cursor",
    },
    Case {
        edits: &[fam("style = \"offset\"", "style = \"spnum\""), fam("end_flag = \"endflag\"", "count = \"endflag\"")],
        expected: "api-spec/test.toml: endpoint `list_things`: cursor style `spnum` needs optional integer request \
                   and response cursors of the same type and a required integer count",
    },
    Case {
        edits: &[fam(
            "[[endpoint.error]]\ncode = 301055\n",
            "[[endpoint.error]]\ncode = 301055\nzh = \"无权限\"\nen = \"no permission\"\n\n[[endpoint.error]]\ncode = 301055\n",
        )],
        expected: "api-spec/test.toml: endpoint `list_things`: error 301055 is listed twice",
    },
    Case {
        edits: &[fam("[[endpoint.error]]\ncode = 301055\n", "[[endpoint.error]]\ncode = 2\n")],
        expected: "api-spec/test.toml: endpoint `list_things`: error 2 is not in errors.toml",
    },
    // Callback events.
    Case {
        edits: &[evt(r#"name = "Node""#, r#"name = "node""#)],
        expected: "api-spec/evt.toml: element `node`: `node` is not an UpperCamelCase type name",
    },
    Case {
        edits: &[evt(r#"name = "Node""#, r#"name = "Thing""#)],
        expected: "api-spec/evt.toml: element `Thing`: type name `Thing` is taken (also defined in family `test`)",
    },
    Case {
        edits: &[evt(
            "[header]\ndoc = \"h\"\n\n[[header.child]]\nname = \"Event\"\ntype = \"string\"\ndoc = \"d\"\n\n[[header.child]]\nname = \"CreateTime\"\ntype = \"i64\"\ndoc = \"d\"\n",
            "",
        )],
        expected: "api-spec/evt.toml: events: events need a [header] section declaring the elements every event carries",
    },
    Case {
        edits: &[evt(
            "[[event]]\nname = \"thing_changed\"\ndoc = \"d\"\n\n[[event.child]]\nname = \"Info\"\ntype = \"Info\"\ndoc = \"d\"\n",
            "",
        )],
        expected: "api-spec/evt.toml: header: a [header] without [[event]]s",
    },
    Case {
        edits: &[evt(
            "name = \"CreateTime\"\ntype = \"i64\"",
            "name = \"CreateTime\"\ntype = \"i64\"\nmultiplicity = \"repeated\"",
        )],
        expected: "api-spec/evt.toml: header: field `CreateTime`: header children must be single (one or optional) \
                   strings or integers",
    },
    Case {
        edits: &[evt(r#"name = "Event""#, r#"name = "Kind""#)],
        expected: "api-spec/evt.toml: header: the header needs the element `Event` (type string, multiplicity one): it \
                   names the event",
    },
    Case {
        edits: &[evt(r#"name = "thing_changed""#, r#"name = "thing-changed""#)],
        expected: "api-spec/evt.toml: event `thing-changed`: `thing-changed` is not an Event value (ASCII letters, \
                   digits and _, starting with a letter)",
    },
    Case {
        edits: &[evt(
            "[[element]]\nname = \"Info\"",
            "[[event]]\nname = \"thing_changed\"\nvariant = \"Again\"\ndoc = \"d\"\n\n[[element]]\nname = \"Info\"",
        )],
        expected: "api-spec/evt.toml: event `thing_changed`: event `thing_changed` is defined twice",
    },
    Case {
        edits: &[evt(r#"name = "At""#, r#"name = "1At""#)],
        expected: "api-spec/evt.toml: element `Node`: field `1At`: `1At` is not an XML element name",
    },
    Case {
        edits: &[evt(r#"name = "At""#, "name = \"At\"\nalias = [\"At\"]")],
        expected: "api-spec/evt.toml: element `Node`: field `At`: element `At` is declared twice (names and aliases, \
                   header included)",
    },
    Case {
        edits: &[evt(r#"name = "At""#, "name = \"At\"\nrust_name = \"self\"")],
        expected: "api-spec/evt.toml: element `Node`: field `At`: `self` is not usable as a Rust field name",
    },
    Case {
        edits: &[evt(r#"name = "Tags""#, "name = \"Tags\"\nrust_name = \"status\"")],
        expected: "api-spec/evt.toml: element `Info`: field `Tags`: duplicate Rust name `status`",
    },
    Case {
        edits: &[evt(r#"multiplicity = "optional""#, r#"multiplicity = "maybe""#)],
        expected: "api-spec/evt.toml: element `Node`: field `At`: multiplicity `maybe` is not one of one, optional, \
                   repeated, wrapped",
    },
    Case {
        edits: &[evt("item = \"Node\"\n", "")],
        expected: "api-spec/evt.toml: element `Info`: field `Nodes`: a wrapped element needs `item`, the name of the \
                   children inside the wrapper",
    },
    Case {
        edits: &[evt(r#"multiplicity = "repeated""#, "multiplicity = \"repeated\"\nitem = \"Tag\"")],
        expected: "api-spec/evt.toml: element `Info`: field `Tags`: `item` applies to wrapped elements only",
    },
    Case {
        edits: &[evt(r#"type = "u64""#, r#"type = "list<u64>""#)],
        expected: "api-spec/evt.toml: element `Node`: field `At`: `list<u64>` is not an element type (expected \
                   string, i32, i64, u32, u64, an enum or an [[element]] name)",
    },
    Case {
        edits: &[evt(r#"type = "Level""#, r#"type = "Missing""#)],
        expected: "api-spec/evt.toml: element `Info`: field `Status`: unknown element type `Missing`",
    },
    Case {
        edits: &[evt(r#"type = "Level""#, r#"type = "Thing""#)],
        expected: "api-spec/evt.toml: element `Info`: field `Status`: `Thing` is a JSON struct or union; an element \
                   holds text, an enum or an [[element]]",
    },
    Case {
        edits: &[evt(r#"type = "u64""#, r#"type = "Node""#)],
        expected: "api-spec/evt.toml: element `Node`: element `Node` contains itself through one/optional children \
                   (use a list)",
    },
    // errors.toml.
    Case {
        edits: &[Edit {
            file: File::Errors,
            from: "class = \"permission\"\n",
            to: "class = \"permission\"\n\n[[error]]\ncode = 301055\nname = \"Again\"\nzh = \"z\"\nen = \"e\"\nclass = \"other\"\n",
        }],
        expected: "api-spec/errors.toml: error 301055: duplicate code",
    },
    Case {
        edits: &[Edit { file: File::Errors, from: r#"name = "NoPermission""#, to: r#"name = "no_permission""# }],
        expected: "api-spec/errors.toml: error 301055: `no_permission` is not a usable UpperCamelCase variant name \
                   (`Unknown` is reserved)",
    },
    Case {
        edits: &[Edit { file: File::Errors, from: r#"class = "permission""#, to: r#"class = "sometimes""# }],
        expected: "api-spec/errors.toml: error 301055: unknown class `sometimes` (expected one of success, retry, \
                   rate_limited, token_invalid, credential, permission, invalid_request, internal, other)",
    },
];

fn files(edits: &[Edit]) -> SpecFiles {
    let mut family = FAMILY.to_string();
    let mut errors = ERRORS.to_string();
    let mut events = EVENTS.to_string();
    let mut other = None;
    for e in edits {
        let text = match e.file {
            File::Family => &mut family,
            File::Errors => &mut errors,
            File::Events => &mut events,
            File::Other => {
                other = Some(e.to.to_string());
                continue;
            }
        };
        assert_eq!(text.matches(e.from).count(), 1, "the edit anchor {:?} must occur exactly once", e.from);
        *text = text.replacen(e.from, e.to, 1);
    }
    let mut families = vec![
        (PathBuf::from("api-spec/test.toml"), parse(&family)),
        (PathBuf::from("api-spec/evt.toml"), parse(&events)),
    ];
    if let Some(other) = other {
        families.push((PathBuf::from("api-spec/other.toml"), parse(&other)));
    }
    SpecFiles { families, errors: Some((PathBuf::from("api-spec/errors.toml"), parse(&errors))) }
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> T {
    toml::from_str(text).expect("the edited TOML parses")
}

/// The variant name of a problem (`Debug` starts with it).
fn variant(e: &SpecError) -> String {
    format!("{:?}", e.problem).chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

#[test]
fn the_base_spec_is_accepted_and_resolved() {
    let model = check::resolve(files(&[])).expect("the base spec is valid");
    let test = model.families.iter().find(|f| f.module == "test").expect("family test");
    let ep = &test.endpoints[0];
    assert_eq!(ep.id, "test.list_things");
    let page = ep.page.as_ref().expect("paged");
    assert_eq!(page.size_field.as_ref().map(|f| f.wire.as_str()), Some("size"));
    let cursor = page.cursor.as_ref().expect("a cursor");
    assert!(matches!(&cursor.style, CursorStyle::Offset { end_flag, .. } if end_flag.wire == "endflag"));
    match &cursor.item {
        PageItem::Struct { ty, key } => assert_eq!((ty.name.to_string(), key.wire.as_str()), ("Thing".into(), "id")),
        other => panic!("{other:?}"),
    }
    let filter = model.strukt(ep.request).fields.iter().find(|f| f.wire == "filters").unwrap();
    assert_eq!(filter.unique.as_ref().map(|u| u.key_wire.as_str()), Some("key"));

    let evt = model.families.iter().find(|f| f.module == "evt").expect("family evt");
    let events = evt.events.as_ref().expect("events");
    assert_eq!(events.header[events.discriminator].xml, "Event");
    assert_eq!(events.kinds.iter().map(|k| k.variant.to_string()).collect::<Vec<_>>(), ["ThingChanged"]);
    let info = model.element(evt.elements[0]);
    assert_eq!(info.name, "Info");
    assert!(!info.defaultable, "a required enum has no default");
    let nodes = info.children.iter().find(|c| c.xml == "Nodes").unwrap();
    assert_eq!(nodes.multiplicity, Multiplicity::Wrapped { item: "Node".into() });
    assert!(matches!(&info.children[0].ty, XmlTy::IntEnum(t) if t.module == "test" && t.name == "Level"));
    assert!(model.element(evt.elements[1]).defaultable);
}

#[test]
fn every_row_fails_with_its_message() {
    let mut failures = Vec::new();
    for case in CASES {
        match check::resolve(files(case.edits)) {
            Ok(_) => failures.push(format!("accepted, expected: {}", case.expected)),
            Err(e) if e.to_string() != case.expected => {
                failures.push(format!("expected: {}\n     got: {e}", case.expected))
            }
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The variants of `Problem`, read from its source.
fn declared_problems() -> Vec<String> {
    let path = workspace_root().join("xtask/src/check/problem.rs");
    let file = syn::parse_file(&std::fs::read_to_string(&path).unwrap()).expect("problem.rs parses");
    let problem = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Enum(e) if e.ident == "Problem" => Some(e),
            _ => None,
        })
        .expect("enum Problem");
    problem.variants.iter().map(|v| v.ident.to_string()).collect()
}

#[test]
fn the_table_reaches_every_problem() {
    let reached: BTreeSet<String> =
        CASES.iter().filter_map(|c| check::resolve(files(c.edits)).err()).map(|e| variant(&e)).collect();
    let missing: Vec<String> = declared_problems().into_iter().filter(|p| !reached.contains(p)).collect();
    assert!(missing.is_empty(), "no row of CASES produces these problems: {missing:?}");
}

#[test]
fn each_problem_is_constructed_at_one_place() {
    let dir = workspace_root().join("xtask/src/check");
    let mut sites: BTreeMap<String, usize> = declared_problems().into_iter().map(|p| (p, 0)).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "problem.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, _) in text.match_indices("Problem::") {
            let name: String = text[i + 9..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            *sites.entry(name).or_default() += 1;
        }
    }
    let wrong: Vec<_> = sites.iter().filter(|(_, n)| **n != 1).collect();
    assert!(wrong.is_empty(), "each Problem variant must be constructed exactly once in xtask/src/check: {wrong:?}");
}

#[test]
fn load_reports_toml_syntax_errors_with_the_file() {
    let dir = std::env::temp_dir().join(format!("wecom-spec-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("spec")).unwrap();
    std::fs::write(dir.join("spec/broken.toml"), "family = \n").unwrap();
    let err = SpecFiles::load(&dir, Path::new("spec")).unwrap_err().to_string();
    std::fs::write(dir.join("spec/broken.toml"), "family = \"x\"\ndoc = \"d\"\nsurprise = 1\n").unwrap();
    let unknown_key = SpecFiles::load(&dir, Path::new("spec")).unwrap_err().to_string();
    std::fs::remove_file(dir.join("spec/broken.toml")).unwrap();
    let empty = SpecFiles::load(&dir, Path::new("spec")).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).ok();
    assert!(err.starts_with("spec/broken.toml:"), "{err}");
    assert!(unknown_key.starts_with("spec/broken.toml:") && unknown_key.contains("surprise"), "{unknown_key}");
    assert!(empty.ends_with("no *.toml spec files"), "{empty}");
}

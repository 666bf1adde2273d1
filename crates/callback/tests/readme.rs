//! The callback example of the repository README is the `receive` function of
//! `examples/receive.rs` (which compiles and runs against the emulator), word for word, and
//! stays within 15 lines.

use std::path::Path;

const MARKER: &str = "<!-- callback-example: crates/callback/examples/receive.rs";

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
    let len = text[from..].find(end).unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    &text[from..from + len]
}

#[test]
fn the_readme_callback_example_is_the_example_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(dir.join("../../README.md")).expect("the repository README");
    let example = std::fs::read_to_string(dir.join("examples/receive.rs")).expect("the example");

    let after_marker = &readme[readme.find(MARKER).expect("the README marks its callback example")..];
    let in_readme = between(after_marker, "```rust\n", "```");
    let in_example = between(&example, "// README:begin\n", "// README:end");
    assert_eq!(in_readme, in_example, "copy the README:begin..end part of examples/receive.rs into the README");
    let lines = in_readme.lines().count();
    assert!(lines <= 15, "the README example has {lines} lines; keep it within 15");
    assert!(in_readme.contains("router(") && in_readme.contains("Event::SysApprovalChange"));
}

//! Fuzzes the pin locators: any bytes, any pattern, any pointer. A locate must return an error
//! or a literal that is really at its range, and a rewrite must change nothing else.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The pure domain modules themselves, compiled alone: depending on the shiftdeck crate would
// build the AWS SDK with sanitizer instrumentation for code the fuzzer never reaches.
#[path = "../../src/domain"]
#[allow(dead_code)]
mod domain {
    pub mod pin;
    pub mod version;
}

use domain::pin::{PinLocator, PinRule, locate, replace};
use domain::version::Version;

fuzz_target!(|data: &[u8]| {
    // The first line is the rule, the rest the file: a leading '/' makes it a JSON pointer.
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let Ok(rule) = std::str::from_utf8(&data[..split]) else {
        return;
    };
    let content = data.get(split + 1..).unwrap_or_default();
    let rule = if rule.starts_with('/') || rule.is_empty() {
        PinRule::JsonPointer(rule.to_string())
    } else {
        PinRule::Pattern(rule.to_string())
    };
    let locator = PinLocator {
        file: "fuzzed".into(),
        rule,
    };
    let Ok(found) = locate(content, &locator) else {
        return;
    };
    assert_eq!(&content[found.range.clone()], found.literal.as_bytes());
    let new = Version::parse("v9.8.7").expect("a valid version");
    let after = replace(content, &found, &new);
    assert_eq!(&after[..found.range.start], &content[..found.range.start]);
    assert_eq!(
        &after[found.range.start + new.as_str().len()..],
        &content[found.range.end..]
    );
});

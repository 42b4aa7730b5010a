//! Where a JSON text's syntax breaks, as a path: serde_json says "EOF while parsing a value at
//! line 1 column 4312", and a link's payload is one line, so the column alone says nothing to a
//! reader; the path of the value being read when the text broke (`scenario.producers[0]`) does.

/// serde_json's syntax message with the path of the value it is in (`scenario.producers[0]`),
/// found from where the parser stopped: serde_json says the line and column only.
pub(super) fn located(json: &[u8], e: &serde_json::Error) -> String {
    let message = e.to_string();
    // "... at line L column C": the path says more to a reader than the position.
    let message = message
        .rfind(" at line ")
        .map_or(message.as_str(), |at| &message[..at]);
    let mut offset = 0;
    for _ in 1..e.line() {
        offset += json[offset..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(json.len() - offset, |n| n + 1);
    }
    match json_path(json, (offset + e.column()).saturating_sub(1)) {
        Some(path) if !path.is_empty() => format!("{path}: {message}."),
        _ => format!("{message}."),
    }
}

/// The path (`a.b[2].c`) of the value around byte `at` of a JSON text, read by a small scanner
/// that tracks objects, arrays and keys (the text parsed up to `at`, so it is well formed there).
fn json_path(json: &[u8], at: usize) -> Option<String> {
    enum Level {
        Object(Option<String>),
        Array(usize),
    }
    let mut stack: Vec<Level> = Vec::new();
    let mut i = 0;
    let mut expecting_key = false;
    while i < json.len().min(at + 1) {
        match json[i] {
            b'{' => {
                stack.push(Level::Object(None));
                expecting_key = true;
            }
            b'[' => stack.push(Level::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Level::Array(n)) => *n += 1,
                Some(Level::Object(_)) => expecting_key = true,
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < json.len() && json[i] != b'"' {
                    i += if json[i] == b'\\' { 2 } else { 1 };
                }
                if expecting_key {
                    if let Some(Level::Object(key)) = stack.last_mut() {
                        *key = Some(
                            String::from_utf8_lossy(&json[start..i.min(json.len())]).into_owned(),
                        );
                    }
                    expecting_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for level in &stack {
        match level {
            Level::Object(Some(k)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Level::Object(None) => {}
            Level::Array(n) => path.push_str(&format!("[{n}]")),
        }
    }
    Some(path)
}

//! Reading the runtime's source: `libc::` uses and the `cfg`s around them.

use std::collections::BTreeMap;

pub(crate) fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The `cfg` predicates of the attributes written right above line `at`
/// (doc comments in between are skipped).
pub(crate) fn cfgs_above(lines: &[&str], at: usize) -> Vec<String> {
    let own = indent(lines[at]);
    let mut start = at;
    while start > 0 {
        let line = lines[start - 1];
        let trimmed = line.trim_start();
        let attribute_part = trimmed.starts_with("#[")
            || trimmed.starts_with(')')
            || trimmed.starts_with(']')
            || (indent(line) > own && !trimmed.is_empty());
        if trimmed.starts_with("//") || attribute_part {
            start -= 1;
        } else {
            break;
        }
    }
    let text: String = lines[start..at]
        .iter()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| line.trim())
        .collect::<Vec<_>>()
        .join(" ");
    cfg_predicates(&text)
}

/// The predicate of each `#[cfg(...)]` in `text`, in order.
fn cfg_predicates(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (open, _) in text.match_indices("#[cfg(") {
        let body = &text[open + "#[cfg(".len()..];
        let mut depth = 1;
        for (i, c) in body.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                found.push(body[..i].to_owned());
                break;
            }
        }
    }
    found
}

/// The platform groups of `cfg.rs`: each `cfg_<group>!` macro's name and
/// the `cfg` predicate it puts on the items it is given.
pub(crate) fn cfg_groups(sources: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let Some(text) = sources.get("cfg.rs") else {
        return BTreeMap::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut groups = BTreeMap::new();
    for (at, line) in lines.iter().enumerate() {
        let Some(name) = line
            .trim()
            .strip_prefix("macro_rules! ")
            .and_then(|rest| rest.strip_suffix(" {"))
        else {
            continue;
        };
        // The macro's one `#[cfg(...)]`, however it is wrapped.
        let body: String = lines[at + 1..]
            .iter()
            .take_while(|line| !line.starts_with('}'))
            .map(|line| line.trim())
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(predicate) = cfg_predicates(&body).into_iter().next() {
            groups.insert(name.to_owned(), predicate);
        }
    }
    groups
}

/// The `cfg`s of the items, blocks and statements that enclose line `at`
/// (by indentation: the code is `rustfmt`ed), and of the line itself; a
/// `cfg_<group>! {` block counts with its group's predicate (`groups`,
/// from [`cfg_groups`]).
pub(crate) fn enclosing_cfgs(
    lines: &[&str],
    at: usize,
    groups: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut found = cfgs_above(lines, at);
    let mut depth = indent(lines[at]);
    for j in (0..at).rev() {
        let trimmed = lines[j].trim_start();
        if trimmed.is_empty() || trimmed.starts_with("//") || trimmed.starts_with("#[") {
            continue;
        }
        if indent(lines[j]) < depth && !trimmed.starts_with(')') && !trimmed.starts_with('}') {
            depth = indent(lines[j]);
            found.extend(cfgs_above(lines, j));
            if let Some(group) = trimmed
                .strip_suffix("! {")
                .and_then(|name| groups.get(name))
            {
                found.push(group.clone());
            }
            if depth == 0 {
                break;
            }
        }
    }
    found
}

/// The `#[cfg_attr(PRED, path = "FILE")]` attributes written right above
/// line `at`, as (PRED, FILE).
pub(crate) fn path_cfgs_above(lines: &[&str], at: usize) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut start = at;
    while start > 0 && lines[start - 1].trim_start().starts_with("#[") {
        start -= 1;
        let line = lines[start].trim();
        let Some(body) = line
            .strip_prefix("#[cfg_attr(")
            .and_then(|body| body.strip_suffix(")]"))
        else {
            continue;
        };
        let Some((pred, path)) = body.rsplit_once(", path = ") else {
            continue;
        };
        found.push((pred.to_owned(), path.trim_matches('"').to_owned()));
    }
    found
}

/// Each `libc::item` named on `line` outside comments and string literals.
pub(crate) fn libc_items(line: &str) -> Vec<String> {
    if line.trim_start().starts_with("//") {
        return Vec::new();
    }
    // Blank out string literals, then drop a trailing comment.
    let mut code = String::new();
    let mut in_string = false;
    let mut previous = ' ';
    for c in line.chars() {
        if c == '"' && previous != '\\' && previous != '\'' {
            in_string = !in_string;
        }
        code.push(if in_string { ' ' } else { c });
        previous = c;
    }
    let code = code.split("//").next().unwrap_or("");
    let mut items = Vec::new();
    for (at, _) in code.match_indices("libc::") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = code[at + "libc::".len()..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        items.push(name);
    }
    items
}

/// The `cfg`s on the `mod` declarations from `lib.rs` down to `file`
/// (a path relative to `src/`, with `/` separators).
pub(crate) fn module_cfgs(sources: &BTreeMap<String, String>, file: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut path: Vec<&str> = file.trim_end_matches(".rs").split('/').collect();
    if path.last() == Some(&"mod") {
        path.pop();
    }
    for depth in 0..path.len() {
        let name = match path[depth] {
            "private" if depth == 0 => "__private",
            name => name,
        };
        if name == "lib" {
            continue;
        }
        let parent_dir = path[..depth].join("/");
        let parent = if depth == 0 {
            "lib.rs".to_owned()
        } else if sources.contains_key(&format!("{parent_dir}/mod.rs")) {
            format!("{parent_dir}/mod.rs")
        } else {
            format!("{parent_dir}.rs")
        };
        let text = &sources[&parent];
        let lines: Vec<&str> = text.lines().collect();
        let declared = |name: &str| {
            lines.iter().position(|line| {
                let line = line.trim_end();
                line.ends_with(&format!("mod {name};")) && !line.trim_start().starts_with("//")
            })
        };
        if let Some(declaration) = declared(name) {
            // `#[cfg_attr(PRED, path = "...")] mod name;`: this file is
            // the module only where PRED does not hold.
            found.extend(cfgs_above(&lines, declaration));
            found.extend(
                path_cfgs_above(&lines, declaration)
                    .into_iter()
                    .map(|(pred, _)| format!("not({pred})")),
            );
            continue;
        }
        // Not declared by its own name: the file another module's
        // `cfg_attr(PRED, path = ".../name.rs")` names, compiled where PRED
        // holds.
        let file_name = format!("{name}.rs");
        let (declaration, pred) = lines
            .iter()
            .enumerate()
            .filter(|(_, line)| line.trim_end().ends_with(';') && line.contains("mod "))
            .find_map(|(at, _)| {
                path_cfgs_above(&lines, at)
                    .into_iter()
                    .find(|(_, path)| path.rsplit('/').next() == Some(file_name.as_str()))
                    .map(|(pred, _)| (at, pred))
            })
            .unwrap_or_else(|| {
                panic!("no `mod {name};` and no `path = \".../{file_name}\"` in {parent}")
            });
        found.extend(cfgs_above(&lines, declaration));
        found.push(pred);
    }
    found
}

//! A small line diff, so `codegen --check` and `release --dry-run` can show what would change
//! without a diff dependency or an external `diff` program.

/// The lines that differ between `old` and `new`, as `-`/`+` lines with `@@` line numbers and
/// one line of context around each change. Empty when the texts are equal.
pub fn unified(old: &str, new: &str) -> String {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let ops = edit_script(&old_lines, &new_lines);
    let mut out = String::new();
    let mut op_idx = 0;
    while op_idx < ops.len() {
        if matches!(ops[op_idx], Op::Same(..)) {
            op_idx += 1;
            continue;
        }
        // A hunk: one line of context before, the changes, one line after.
        let start = op_idx.saturating_sub(1);
        let mut end = op_idx;
        while end < ops.len() && !is_context_gap(&ops, end) {
            end += 1;
        }
        let end = (end + 1).min(ops.len());
        let (old_line, new_line) = ops[start].positions();
        out.push_str(&format!("@@ -{} +{} @@\n", old_line + 1, new_line + 1));
        for op in &ops[start..end] {
            match op {
                Op::Same(old_idx, _) => out.push_str(&format!(" {}\n", old_lines[*old_idx])),
                Op::Delete(old_idx, _) => out.push_str(&format!("-{}\n", old_lines[*old_idx])),
                Op::Insert(_, new_idx) => out.push_str(&format!("+{}\n", new_lines[*new_idx])),
            }
        }
        op_idx = end;
    }
    out
}

/// True where two unchanged lines in a row start: the end of a hunk.
fn is_context_gap(ops: &[Op], idx: usize) -> bool {
    matches!(ops[idx], Op::Same(..)) && matches!(ops.get(idx + 1), Some(Op::Same(..)) | None)
}

/// One step of the edit script, with the line indices in the old and new text.
enum Op {
    Same(usize, usize),
    Delete(usize, usize),
    Insert(usize, usize),
}

impl Op {
    fn positions(&self) -> (usize, usize) {
        match self {
            Op::Same(old, new) | Op::Delete(old, new) | Op::Insert(old, new) => (*old, *new),
        }
    }
}

/// A longest-common-subsequence edit script. Quadratic, which is fine for the few hundred
/// lines of a generated page or a manifest; the common prefix and suffix are skipped first.
fn edit_script(old: &[&str], new: &[&str]) -> Vec<Op> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_mid = &old[prefix..old.len() - suffix];
    let new_mid = &new[prefix..new.len() - suffix];
    // lengths[i][j]: LCS length of old_mid[i..] and new_mid[j..].
    let mut lengths = vec![vec![0usize; new_mid.len() + 1]; old_mid.len() + 1];
    for i in (0..old_mid.len()).rev() {
        for j in (0..new_mid.len()).rev() {
            lengths[i][j] = if old_mid[i] == new_mid[j] {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let mut ops: Vec<Op> = (0..prefix).map(|idx| Op::Same(idx, idx)).collect();
    let (mut i, mut j) = (0, 0);
    while i < old_mid.len() || j < new_mid.len() {
        if i < old_mid.len() && j < new_mid.len() && old_mid[i] == new_mid[j] {
            ops.push(Op::Same(prefix + i, prefix + j));
            i += 1;
            j += 1;
        } else if i < old_mid.len()
            && (j == new_mid.len() || lengths[i + 1][j] >= lengths[i][j + 1])
        {
            // Deletions before insertions, as diff(1) prints them.
            ops.push(Op::Delete(prefix + i, prefix + j));
            i += 1;
        } else {
            ops.push(Op::Insert(prefix + i, prefix + j));
            j += 1;
        }
    }
    let (old_end, new_end) = (prefix + old_mid.len(), prefix + new_mid.len());
    ops.extend((0..suffix).map(|idx| Op::Same(old_end + idx, new_end + idx)));
    ops
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\nb\n", "a\nb\n"), "");
    }

    #[test]
    fn shows_changed_lines_with_context() {
        let diff = unified("a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n");
        assert_eq!(diff, "@@ -2 +2 @@\n b\n-c\n+X\n d\n");
    }

    #[test]
    fn insertions_and_deletions_at_the_ends() {
        assert_eq!(unified("a\n", "a\nb\n"), "@@ -1 +1 @@\n a\n+b\n");
        assert_eq!(unified("a\nb\n", "b\n"), "@@ -1 +1 @@\n-a\n b\n");
    }
}

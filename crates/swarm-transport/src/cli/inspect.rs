//! Reading `docker inspect` output: a JSON array of the objects it found, in the order they
//! were asked for, and one stderr line per reference it could not resolve. This module
//! decodes the array and gives every requested id its own outcome.

use std::collections::{HashMap, VecDeque};

use serde::de::DeserializeOwned;
use swarm_models::{Model, Task};

use super::stderr::{ErrorContext, classify, object_failure};
use crate::error::{Error, ObjectKind, Result};

/// One object `docker inspect` printed.
#[derive(Debug)]
pub(crate) struct Printed<T> {
    /// Its `ID`, read even when the rest does not decode.
    pub(crate) id: String,
    /// Its `Name`, when it has one.
    pub(crate) name: Option<String>,
    /// The decoded object, or why it did not decode.
    pub(crate) object: Result<T>,
}

/// Decodes a JSON array printed by `docker ... inspect`. Empty output is an empty list. When
/// the array as a whole does not decode, each element is decoded on its own so one bad object
/// only fails itself; output that is not an array at all is a decode error.
pub(crate) fn parse_array<T>(stdout: &[u8], command: &str) -> Result<Vec<Printed<T>>>
where
    T: DeserializeOwned + HasIdentity + Model,
{
    if stdout.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    match swarm_models::decode_list::<T>(stdout) {
        Ok(objects) if objects.is_complete() => Ok(objects
            .into_iter()
            .map(|object| Printed {
                id: object.identity().to_owned(),
                name: object.name().map(str::to_owned),
                object: Ok(object),
            })
            .collect()),
        // Some object does not decode: each one again with its own identity and error.
        Ok(_) => printed_one_by_one(stdout, command),
        Err(err) => Err(Error::decode(command, stdout, err)),
    }
}

/// Each element of `stdout` (a JSON array) as a `Printed`, with its own decode error.
fn printed_one_by_one<T>(stdout: &[u8], command: &str) -> Result<Vec<Printed<T>>>
where
    T: DeserializeOwned + HasIdentity + Model,
{
    let values: Vec<serde_json::Value> =
        serde_json::from_slice(stdout).map_err(|err| Error::decode(command, stdout, err))?;
    Ok(values
        .into_iter()
        .map(|value| {
            let id = value
                .get("ID")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_owned();
            let name = value
                .get("Name")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            let bytes = serde_json::to_vec(&value).unwrap_or_default();
            let object = serde_json::from_value::<T>(value)
                .map_err(|err| Error::decode(command, &bytes, err));
            Printed { id, name, object }
        })
        .collect())
}

/// What an object is called, to match printed objects back to references.
pub(crate) trait HasIdentity {
    /// The full ID.
    fn identity(&self) -> &str;
    /// The object's own name, if it carries one.
    fn name(&self) -> Option<&str>;
}

impl HasIdentity for Task {
    fn identity(&self) -> &str {
        &self.id
    }

    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl HasIdentity for swarm_models::Service {
    fn identity(&self) -> &str {
        &self.id
    }

    fn name(&self) -> Option<&str> {
        swarm_models::Service::name(self)
    }
}

impl HasIdentity for swarm_models::Node {
    fn identity(&self) -> &str {
        &self.id
    }

    fn name(&self) -> Option<&str> {
        self.hostname()
    }
}

/// True when `reference` can name the printed object: its full ID, an ID prefix, its own
/// name, or a task's internal name `service.slot.ID` / `service.nodeID.ID`.
fn could_name<T>(reference: &str, printed: &Printed<T>) -> bool {
    if reference.is_empty() || printed.id.is_empty() {
        return false;
    }
    printed.id.starts_with(reference)
        || printed.name.as_deref() == Some(reference)
        || reference
            .strip_suffix(printed.id.as_str())
            .is_some_and(|head| head.ends_with('.') && head.len() > 1)
}

/// Gives each requested reference its outcome from one `docker inspect` run.
///
/// `docker inspect` prints the objects it found in the order of the references and one error
/// line per reference it could not resolve, then exits 1. So references are walked in order:
/// a reference with an error line gets that error; otherwise the first remaining printed
/// object it can name (full ID, ID prefix, name, internal name) is its. A reference with
/// neither gets the error of the lines that name no id (a 500 midway), or else not found. When nothing was printed and no line names a reference, the
/// whole run failed (no daemon, not a manager ...) and that error is returned instead.
pub(crate) fn assign<T>(
    references: &[String],
    printed: Vec<Printed<T>>,
    stderr: &str,
    kind: ObjectKind,
    context: ErrorContext<'_>,
    success: bool,
) -> Result<Vec<Result<T>>> {
    let mut failures: HashMap<String, VecDeque<Error>> = HashMap::new();
    let mut n_failures = 0usize;
    // Lines about something else than one id (a 500, a dropped connection midway).
    let mut other_lines: Vec<&str> = Vec::new();
    for line in stderr.lines() {
        if let Some(failure) = object_failure(line, kind) {
            n_failures += 1;
            failures
                .entry(failure.reference.clone())
                .or_default()
                .push_back(failure.into_error(kind));
        } else if !line.trim().is_empty() && !line.trim_start().starts_with("WARNING") {
            other_lines.push(line);
        }
    }
    let other_text = other_lines.join("\n");
    if !success && printed.is_empty() && n_failures == 0 {
        return Err(classify(stderr, context));
    }
    let mut printed: VecDeque<Printed<T>> = printed.into();
    let mut outcomes = Vec::with_capacity(references.len());
    for reference in references {
        if let Some(error) = failures.get_mut(reference).and_then(VecDeque::pop_front) {
            outcomes.push(Err(error));
            continue;
        }
        // The next object is the usual match; searching on covers a client that reorders.
        let position = printed
            .iter()
            .position(|object| could_name(reference, object));
        match position.and_then(|position| printed.remove(position)) {
            Some(object) => outcomes.push(object.object),
            // Neither printed nor named: the unexplained failure is the likeliest cause.
            None if !success && !other_lines.is_empty() => {
                outcomes.push(Err(classify(&other_text, context)));
            }
            None => outcomes.push(Err(Error::NotFound {
                kind,
                id: reference.clone(),
            })),
        }
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMAND: &str = "docker inspect --type task -- x";

    fn context(success: bool) -> ErrorContext<'static> {
        ErrorContext {
            endpoint: "tcp://h:1",
            command: COMMAND,
            exit_code: Some(if success { 0 } else { 1 }),
        }
    }

    fn tasks_json(ids: &[&str]) -> Vec<u8> {
        let objects: Vec<String> = ids
            .iter()
            .map(|id| {
                format!(r#"{{"ID":"{id}","ServiceID":"s1","Slot":1,"DesiredState":"running"}}"#)
            })
            .collect();
        format!("[\n{}\n]\n", objects.join(",\n")).into_bytes()
    }

    fn refs(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| (*item).to_owned()).collect()
    }

    fn ids(outcomes: &[Result<Task>]) -> Vec<String> {
        outcomes
            .iter()
            .map(|outcome| match outcome {
                Ok(task) => task.id.clone(),
                Err(Error::NotFound { id, .. }) => format!("missing {id}"),
                Err(Error::Ambiguous { id, matches, .. }) => format!("ambiguous {id} {matches}"),
                Err(other) => format!("error {other}"),
            })
            .collect()
    }

    #[test]
    fn empty_and_blank_output_is_an_empty_list() {
        assert!(
            parse_array::<Task>(b"", COMMAND)
                .map(|v| v.is_empty())
                .unwrap_or(false)
        );
        assert!(
            parse_array::<Task>(b"[]\n", COMMAND)
                .map(|v| v.is_empty())
                .unwrap_or(false)
        );
    }

    #[test]
    fn garbage_and_non_utf8_are_decode_errors_naming_the_command() {
        for stdout in [&b"not json"[..], &b"\xff\xfe[{"[..], &b"{\"ID\":\"x\"}"[..]] {
            let err = parse_array::<Task>(stdout, COMMAND).err();
            assert!(
                matches!(&err, Some(Error::Decode { endpoint, .. }) if endpoint == COMMAND),
                "{err:?}"
            );
        }
    }

    #[test]
    fn one_bad_object_fails_only_itself() {
        let stdout = br#"[{"ID":"good1"},{"ID":"bad1","Slot":"not a number"}]"#;
        let printed = parse_array::<Task>(stdout, COMMAND).unwrap_or_default();
        assert_eq!(printed.len(), 2);
        assert!(printed[0].object.is_ok());
        assert_eq!(printed[1].id, "bad1");
        assert!(matches!(printed[1].object, Err(Error::Decode { .. })));
    }

    #[test]
    fn matches_found_objects_back_by_id_prefix_and_internal_name() {
        let requested = refs(&["aaaaaaaaa", "nope", "bbb", "web.1.cccccccc", "ddd", "ambig"]);
        let printed = parse_array::<Task>(
            &tasks_json(&["aaaaaaaaa", "bbbbbbbbb", "cccccccc"]),
            COMMAND,
        )
        .unwrap_or_default();
        let stderr = "Error response from daemon: task nope not found\n\
                      Error: No such task: ddd\n\
                      Error response from daemon: task ambig is ambiguous (2 matches found)\n";
        let outcomes = assign(
            &requested,
            printed,
            stderr,
            ObjectKind::Task,
            context(false),
            false,
        )
        .unwrap_or_default();
        assert_eq!(
            ids(&outcomes),
            [
                "aaaaaaaaa",
                "missing nope",
                "bbbbbbbbb",
                "cccccccc",
                "missing ddd",
                "ambiguous ambig 2"
            ]
        );
    }

    #[test]
    fn an_ambiguous_prefix_does_not_steal_the_next_object() {
        // "a" is ambiguous; "abc1" was found. Both could name the printed object by prefix.
        let requested = refs(&["a", "abc1"]);
        let printed = parse_array::<Task>(&tasks_json(&["abc1"]), COMMAND).unwrap_or_default();
        let stderr = "Error response from daemon: task a is ambiguous (2 matches found)";
        let outcomes = assign(
            &requested,
            printed,
            stderr,
            ObjectKind::Task,
            context(false),
            false,
        )
        .unwrap_or_default();
        assert_eq!(ids(&outcomes), ["ambiguous a 2", "abc1"]);
    }

    #[test]
    fn repeated_references_each_get_an_outcome() {
        let requested = refs(&["abc", "abc", "zz", "zz"]);
        let printed =
            parse_array::<Task>(&tasks_json(&["abc", "abc"]), COMMAND).unwrap_or_default();
        let stderr = "Error response from daemon: task zz not found\nError response from daemon: task zz not found\n";
        let outcomes = assign(
            &requested,
            printed,
            stderr,
            ObjectKind::Task,
            context(false),
            false,
        )
        .unwrap_or_default();
        assert_eq!(ids(&outcomes), ["abc", "abc", "missing zz", "missing zz"]);
    }

    #[test]
    fn a_reference_with_no_object_and_no_line_is_not_found() {
        let requested = refs(&["abc", "def"]);
        let printed = parse_array::<Task>(&tasks_json(&["abc"]), COMMAND).unwrap_or_default();
        let outcomes = assign(
            &requested,
            printed,
            "",
            ObjectKind::Task,
            context(false),
            false,
        )
        .unwrap_or_default();
        assert_eq!(ids(&outcomes), ["abc", "missing def"]);
    }

    #[test]
    fn objects_printed_out_of_order_still_find_their_reference() {
        let requested = refs(&["bbb", "aaa"]);
        let printed =
            parse_array::<Task>(&tasks_json(&["aaa1", "bbb1"]), COMMAND).unwrap_or_default();
        let outcomes = assign(
            &requested,
            printed,
            "",
            ObjectKind::Task,
            context(true),
            true,
        )
        .unwrap_or_default();
        assert_eq!(ids(&outcomes), ["bbb1", "aaa1"]);
    }

    #[test]
    fn an_unexplained_failure_is_given_to_the_ids_without_an_object() {
        let requested = refs(&["abc", "def"]);
        let printed = parse_array::<Task>(&tasks_json(&["abc"]), COMMAND).unwrap_or_default();
        let stderr = "WARNING: something harmless\nError response from daemon: rpc error: code = Unknown desc = boom";
        let outcomes = assign(
            &requested,
            printed,
            stderr,
            ObjectKind::Task,
            context(false),
            false,
        )
        .unwrap_or_default();
        assert_eq!(outcomes.len(), 2);
        assert!(outcomes[0].is_ok());
        let Some(Err(Error::CliFailed { stderr, .. })) = outcomes.get(1) else {
            panic!("{:?}", outcomes.get(1))
        };
        assert_eq!(
            stderr,
            "Error response from daemon: rpc error: code = Unknown desc = boom"
        );
    }

    #[test]
    fn a_run_that_printed_nothing_fails_as_a_whole() {
        let stderr =
            "Cannot connect to the Docker daemon at tcp://h:1. Is the docker daemon running?";
        let result = assign::<Task>(
            &refs(&["abc"]),
            Vec::new(),
            stderr,
            ObjectKind::Task,
            context(false),
            false,
        );
        assert!(
            matches!(result, Err(Error::DaemonUnreachable { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn internal_name_needs_a_service_part() {
        let printed = parse_array::<Task>(&tasks_json(&["abc"]), COMMAND).unwrap_or_default();
        assert!(could_name("web.1.abc", &printed[0]));
        assert!(could_name("web.node1.abc", &printed[0]));
        assert!(!could_name(".abc", &printed[0]));
        assert!(!could_name("xabc", &printed[0]));
        assert!(!could_name("", &printed[0]));
    }
}

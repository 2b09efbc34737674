//! The evaluator against what Go's text/template and docker's functions print.

use super::*;

fn data(json: &str) -> Data {
    serde_json::from_str(json).unwrap()
}

fn run(template: &str, json: &str) -> String {
    Template::parse_raw(template)
        .unwrap()
        .render(&data(json), Fields::Open)
        .unwrap()
}

fn row(template: &str) -> Result<String, TemplateError> {
    Template::parse(template)?.render(
        &data(r#"{"ID":"abc","Name":"web.1","Node":"n1","Ports":""}"#),
        Fields::Fixed("task row"),
    )
}

#[test]
fn fields_chains_and_text() {
    let json = r#"{"ID":"x","Status":{"State":"running","Err":""},"Spec":{"ContainerSpec":{"Image":"nginx"}}}"#;
    assert_eq!(run("{{.ID}}: {{.Status.State}}", json), "x: running");
    assert_eq!(run("{{.Spec.ContainerSpec.Image}}", json), "nginx");
    assert_eq!(run("{{ .ID }}", json), "x");
    let missing = |template: &str| {
        Template::parse_raw(template)
            .unwrap()
            .render(&data(json), Fields::Open)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        missing("{{.Nope}}"),
        "template parsing error: template: :1:2: executing \"\" at <.Nope>: map has no entry for key \"Nope\""
    );
    assert_eq!(
        missing("{{.ID}}|{{.Nope.Deeper}}"),
        "template parsing error: template: :1:15: executing \"\" at <.Nope.Deeper>: map has no entry for key \"Nope\""
    );
}

#[test]
fn times_print_as_go_prints_them() {
    let json = r#"{"CreatedAt":"2026-11-20T09:10:02.253332122Z","Status":{"Timestamp":"2024-05-01T12:00:00Z"}}"#;
    assert_eq!(
        run("{{.CreatedAt}}|{{.Status.Timestamp}}", json),
        "2026-11-20 09:10:02.253332122 +0000 UTC|2024-05-01 12:00:00 +0000 UTC"
    );
    assert_eq!(
        run("{{json .CreatedAt}}", json),
        r#""2026-11-20T09:10:02.253332122Z""#
    );
}

#[test]
fn json_keeps_the_daemons_key_order() {
    let json =
        r#"{"Status":{"Timestamp":"t","State":"running","Message":"started","PortStatus":{}}}"#;
    assert_eq!(
        run("{{json .Status}}", json),
        r#"{"Timestamp":"t","State":"running","Message":"started","PortStatus":{}}"#
    );
    assert_eq!(run("{{json .Status.State}}", json), r#""running""#);
    assert_eq!(run("{{.Status.State | json}}", json), r#""running""#);
}

#[test]
fn go_prints_values_as_go_does() {
    let json = r#"{"A":["x","y"],"M":{"b":1,"a":true},"N":null,"F":1.5}"#;
    assert_eq!(run("{{.A}}", json), "[x y]");
    assert_eq!(run("{{.M}}", json), "map[a:true b:1]");
    assert_eq!(run("{{.N}}", json), "<nil>");
    assert_eq!(run("{{.F}}", json), "1.5");
}

#[test]
fn dockers_functions() {
    let json = r#"{"S":"hello world","L":["a","b","c"],"E":""}"#;
    assert_eq!(run("{{upper .S}}", json), "HELLO WORLD");
    assert_eq!(run("{{lower \"ABC\"}}", json), "abc");
    assert_eq!(run("{{title .S}}", json), "Hello World");
    assert_eq!(run("{{join .L \", \"}}", json), "a, b, c");
    assert_eq!(run("{{split .S \" \"}}", json), "[hello world]");
    assert_eq!(run("{{index (split .S \" \") 1}}", json), "world");
    assert_eq!(run("{{truncate .S 5}}", json), "hello");
    assert_eq!(run("{{truncate .S 50}}", json), "hello world");
    assert_eq!(run("[{{pad .S 1 2}}]", json), "[ hello world  ]");
    assert_eq!(run("[{{pad .E 1 2}}]", json), "[]");
    assert_eq!(run("{{println .S}}", json), "hello world\n");
    assert_eq!(run("{{println .S .L}}", json), "hello world [a b c]\n");
    assert_eq!(run("{{print .S 1 2}}", json), "hello world1 2");
    assert_eq!(run("{{len .L}}", json), "3");
    assert_eq!(run("{{index .L 2}}", json), "c");
}

#[test]
fn control_structures_and_variables() {
    let json = r#"{"L":["a","b"],"M":{"k2":"v2","k1":"v1"},"S":"running","E":[]}"#;
    assert_eq!(run("{{range .L}}<{{.}}>{{end}}", json), "<a><b>");
    assert_eq!(
        run("{{range $i, $v := .L}}{{$i}}={{$v}} {{end}}", json),
        "0=a 1=b "
    );
    assert_eq!(
        run("{{range $k, $v := .M}}{{$k}}:{{$v}};{{end}}", json),
        "k1:v1;k2:v2;"
    );
    assert_eq!(run("{{range .E}}x{{else}}empty{{end}}", json), "empty");
    assert_eq!(
        run("{{if eq .S \"running\"}}up{{else}}down{{end}}", json),
        "up"
    );
    assert_eq!(
        run(
            "{{if eq .S \"x\"}}1{{else if eq .S \"running\"}}2{{else}}3{{end}}",
            json
        ),
        "2"
    );
    assert_eq!(run("{{if not .E}}none{{end}}", json), "none");
    assert_eq!(run("{{with .M}}{{.k1}}{{end}}", json), "v1");
    assert_eq!(run("{{range .L}}{{$.S}}{{end}}", json), "runningrunning");
    assert_eq!(run("{{$x := .S}}{{$x}}", json), "running");
    assert_eq!(run("a  {{- .S -}}  b", json), "arunningb");
    assert_eq!(run("{{\"}}\"}}", json), "}}");
}

#[test]
fn rows_reject_unknown_fields_like_dockers_structs() {
    assert_eq!(row("{{.ID}} {{.Name}}").unwrap(), "abc web.1");
    let error = row("{{.Foo}}").unwrap_err().to_string();
    assert_eq!(
        error,
        "template parsing error: template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo in type task row"
    );
}

#[test]
fn table_prefix_and_escapes() {
    let template = Template::parse("table {{.ID}}\\t{{.Name}}").unwrap();
    assert!(template.is_table());
    assert_eq!(
        template
            .render(&data(r#"{"ID":"a","Name":"b"}"#), Fields::Open)
            .unwrap(),
        "a\tb"
    );
    let plain = Template::parse("{{.ID}}\\n").unwrap();
    assert!(!plain.is_table());
    assert_eq!(
        plain.render(&data(r#"{"ID":"a"}"#), Fields::Open).unwrap(),
        "a\n"
    );
}

#[test]
fn malformed_templates_are_one_line_parse_errors() {
    let cases = [
        (
            "{{.ID",
            "template parsing error: template: :1: unclosed action",
        ),
        (
            "{{.Name}",
            "template parsing error: template: :1: bad character U+007D '}'",
        ),
        (
            "{{nope .ID}}",
            "template parsing error: template: :1: function \"nope\" not defined",
        ),
        (
            "{{if .ID}}x",
            "template parsing error: template: :1: unexpected EOF: {{if}} has no {{end}}",
        ),
        (
            "{{end}}",
            "template parsing error: template: :1: unexpected {{end}}",
        ),
        (
            "{{}}",
            "template parsing error: template: :1: missing value for command",
        ),
        (
            "{{.ID | }}",
            "template parsing error: template: :1: missing command after |",
        ),
        (
            "{{\"x}}",
            "template parsing error: template: :1: unterminated quoted string",
        ),
    ];
    for (template, expected) in cases {
        let error = Template::parse(template).unwrap_err().to_string();
        assert_eq!(error, expected, "{template}");
        assert_eq!(error.lines().count(), 1);
    }
}

#[test]
fn wrong_argument_types_fail_on_execution() {
    let error = Template::parse_raw("{{upper .L}}")
        .unwrap()
        .render(&data(r#"{"L":[1]}"#), Fields::Open)
        .unwrap_err();
    assert!(error.to_string().contains("error calling upper"), "{error}");
    let error = Template::parse_raw("{{.ID .Name}}")
        .unwrap()
        .render(&data(r#"{"ID":"a"}"#), Fields::Open)
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("can't give argument to non-function"),
        "{error}"
    );
}

proptest::proptest! {
    /// Whatever a user types as `--format`, parsing and running it ends in text or an error,
    /// never a panic.
    #[test]
    fn any_text_parses_and_runs_without_panicking(
        text in "[{}.$a-zA-Z0-9 \\t\"`|():=,-]{0,40}|(\\{\\{-? ?(if|range|with|else|end|json|len|index|split|\\.[A-Z]|\\$[a-z]?|[ ().|\"0-9:=,]){0,8} ?-?\\}\\}|[a-z ]{0,3}){0,6}"
    ) {
        let data = data(r#"{"ID":"x","L":["a"],"M":{"k":"v"},"N":null,"CreatedAt":"2024-05-01T12:00:00Z"}"#);
        for template in [Template::parse(&text), Template::parse_raw(&text)].into_iter().flatten() {
            let _ = template.render(&data, Fields::Open);
            let _ = template.render(&data, Fields::Fixed("task row"));
        }
    }
}

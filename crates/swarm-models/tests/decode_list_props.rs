//! `decode_list` on arbitrary input: it never panics, and for any array it accounts for every
//! element exactly once (an item or a failure, failures in increasing index order).
//! `--filter` parsing (`TaskFilter::push_arg`, `TaskFilter::from_filters_json`): it never
//! panics, and a filter comes back equal through `to_cli_args` and `to_filters_json`.
//! (The fuzz targets in `fuzz/` check the same entry points; see docs/reliability.md.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use proptest::prelude::*;
use swarm_models::{FilterKey, Node, Service, Task, TaskFilter, decode_list};

/// JSON values of the shapes a list element can take, good and bad.
fn element() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[a-zA-Z0-9 :.-]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("ID".to_owned()),
                    Just("Slot".to_owned()),
                    Just("Status".to_owned()),
                    Just("Spec".to_owned()),
                    Just("CreatedAt".to_owned()),
                    "[A-Za-z]{1,8}"
                ],
                inner,
                0..5
            )
            .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_list::<Task>(&bytes);
        let _ = decode_list::<Service>(&bytes);
        let _ = decode_list::<Node>(&bytes);
    }

    #[test]
    fn every_element_is_an_item_or_a_failure(elements in prop::collection::vec(element(), 0..8)) {
        let body = serde_json::to_vec(&elements).unwrap();
        let listing = decode_list::<Task>(&body).unwrap();
        prop_assert_eq!(listing.items.len() + listing.failures.len(), elements.len());
        let indexes: Vec<usize> = listing.failures.iter().map(|failure| failure.index).collect();
        prop_assert!(indexes.windows(2).all(|pair| pair[0] < pair[1]));
        prop_assert!(indexes.iter().all(|index| *index < elements.len()));
    }

    #[test]
    fn filter_arguments_never_panic(arg in "\\PC{0,24}", json in "\\PC{0,24}") {
        let _ = arg.parse::<TaskFilter>();
        let _ = TaskFilter::from_filters_json(&json);
    }

    #[test]
    fn filters_read_back_equal(
        pairs in prop::collection::vec(
            (prop::sample::select(FilterKey::ALL.to_vec()), "[ -~]{0,12}"),
            0..6,
        )
    ) {
        let mut filter = TaskFilter::new();
        for (key, value) in &pairs {
            filter.push_arg(&format!("{key}={value}")).unwrap();
        }
        prop_assert_eq!(filter.iter().count(), pairs.iter().collect::<std::collections::BTreeSet<_>>().len());
        let mut from_args = TaskFilter::new();
        for pair in filter.to_cli_args().chunks(2) {
            prop_assert_eq!(pair[0].as_str(), "--filter");
            from_args.push_arg(&pair[1]).unwrap();
        }
        prop_assert_eq!(&from_args, &filter);
        let from_json = TaskFilter::from_filters_json(&filter.to_filters_json()).unwrap();
        prop_assert_eq!(&from_json, &filter);
    }
}
